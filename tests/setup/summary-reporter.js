/**
 * Prints one plain closing line, "jest: N passed, N failed, N skipped", that CI systems and
 * people can read without knowing jest's own summary format. A test file that could not run at
 * all counts as a failure.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
