/**
 * One jest run covers unit, API, workflow and end-to-end tests against real services:
 * the global setup starts a Temporal dev server and checks MariaDB; each jest worker gets its
 * own database (see tests/helpers/db.ts).
 */
// ESM-only packages that jest must transpile (jest runs CommonJS).
const esmPackages = ['feelin', 'bpmn-moddle', 'zeebe-bpmn-moddle', 'moddle', 'moddle-xml', 'min-dash', 'saxen', 'lezer-feel', '@lezer', 'luxon', 'temporal-polyfill', 'temporal-utils'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests', '<rootDir>/lib', '<rootDir>/api', '<rootDir>/activities', '<rootDir>/workflows', '<rootDir>/db', '<rootDir>/workers'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
  globalSetup: '<rootDir>/tests/setup/global-setup.ts',
  globalTeardown: '<rootDir>/tests/setup/global-teardown.ts',
  setupFiles: ['<rootDir>/tests/setup/per-file.ts'],
  reporters: ['default', '<rootDir>/tests/setup/summary-reporter.js'],
  testTimeout: 120000,
  maxWorkers: 2,
};
