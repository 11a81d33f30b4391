/**
 * Two jest projects; `npx jest` (and `npm test`) runs both.
 *
 * - `unit`: tests of pure code that need neither MariaDB nor Temporal, so `npm run test:unit`
 *   runs them on a machine with neither (no global setup: no Temporal dev server is started).
 *   A test belongs here only if it imports no database or Temporal helper (tests/helpers/db,
 *   tests/helpers/api, the engine/approvals/sms harnesses, @temporalio/*).
 * - `integration`: everything else, against real services: the global setup starts a Temporal
 *   dev server and checks MariaDB; each jest worker gets its own database (see tests/helpers/db.ts).
 */
const path = require('node:path');

// ESM-only packages that jest must transpile (jest runs CommonJS).
const esmPackages = [
  'feelin',
  '@camunda/linting',
  'bpmnlint-plugin-camunda-compat',
  '@bpmn-io/feel-analyzer',
  '@bpmn-io/lezer-feel',
  '@bpmn-io/semver-compat',
  '@bpmn-io/moddle-utils',
  '@camunda/feel-builtins',
  'bpmn-moddle',
  'dmn-moddle',
  'zeebe-bpmn-moddle',
  'moddle',
  'moddle-xml',
  'min-dash',
  'saxen',
  'lezer-feel',
  '@lezer',
  'luxon',
  'temporal-polyfill',
  'temporal-utils',
  // bpmn-js's ReplaceOptions (lib/bpmn/designer-subset.test.ts reads the replace menu's options).
  'bpmn-js',
];

// The unit project's files, as globs relative to this folder; the integration project runs every other test.
const unitTests = ['lib/**/*.test.ts', 'tests/ui/*.test.ts', 'tests/sms/pdu.test.ts', 'tests/sms/pool.test.ts', 'tests/sms/replies.test.ts'];

// What both projects share. Project entries do not inherit the root's options, so each spreads this.
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
  testTimeout: 120000,
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/lib', '<rootDir>/tests'],
      testMatch: unitTests.map((glob) => path.join(__dirname, glob)),
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/tests', '<rootDir>/lib', '<rootDir>/api', '<rootDir>/activities', '<rootDir>/workflows', '<rootDir>/db', '<rootDir>/workers'],
      testMatch: ['**/*.test.ts', ...unitTests.map((glob) => `!${path.join(__dirname, glob)}`)],
      globalSetup: '<rootDir>/tests/setup/global-setup.ts',
      globalTeardown: '<rootDir>/tests/setup/global-teardown.ts',
      setupFiles: ['<rootDir>/tests/setup/per-file.ts'],
    },
  ],
  // Reporters and workers belong to the whole run, not to a project.
  reporters: ['default', '<rootDir>/tests/setup/summary-reporter.js'],
  testTimeout: 120000,
  maxWorkers: 2,
};
