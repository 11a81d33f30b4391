// Lint: typescript-eslint's recommended rules over all TypeScript, plus two rules from
// temporalio/samples-typescript: workflow code imports nothing that needs Node, and no promise
// is left floating (the latter needs type information: typescript-eslint's project service).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Packages that need Node (or a server) to load: a workflow importing one fails in Temporal's sandbox.
const nodeOnlyPackages = [
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/testing',
  '@temporalio/worker',
  'argon2',
  'cookie-parser',
  'exceljs',
  'express',
  'express-rate-limit',
  'helmet',
  'knex',
  'mysql2',
  'pdfkit',
  'pino',
  'pino-http',
  'prom-client',
  'serialport',
  'swagger-ui-express',
  'tsx',
  'yauzl',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'admin-ui/dist/', 'data/', 'coverage/', 'tests/artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // A forgotten await lets a test pass before its check ran, or a rejection crash the process.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: {
        // tools/ is outside tsconfig.json's include; the files of it no test imports (so not in that
        // program) are checked with the same compiler options.
        projectService: { allowDefaultProject: ['tools/approval-processes/*.ts', 'tools/modem-simulator/cli.ts'], defaultProject: 'tsconfig.json' },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox, which has no Node APIs; it reaches
    // activities, the API and the database only through proxied activities. Type-only imports
    // (the activity interfaces for proxyActivities) are erased, so they stay allowed.
    files: ['workflows/**/*.ts', 'bench/**/workflows.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...builtinModules, ...nodeOnlyPackages].map((name) => ({ name, message: 'Workflow code runs in a sandbox without Node; do this in an activity.' })),
          patterns: [
            { group: ['node:*'], message: 'Workflow code runs in a sandbox without Node; do this in an activity.' },
            ...nodeOnlyPackages.map((name) => ({ group: [`${name}/*`], message: 'Workflow code runs in a sandbox without Node; do this in an activity.' })),
            {
              regex: '^(\\.\\./)+(activities|api|db)(/|$)',
              allowTypeImports: true,
              message: 'Workflow code reaches activities, the API and the database only through proxyActivities (type-only imports are fine).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
  },
);
