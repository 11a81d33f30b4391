// Entry of an .xlsx parse worker thread (see xlsx-pool.ts). It loads the TypeScript worker
// through tsx's scoped require, so it loads the same way whatever runs the API: `node --import
// tsx` in development and production (the pool starts workers with no execArgv, so no loader
// flags are inherited) or jest, whose @swc/jest transform covers only jest's own module
// registry, never a worker thread's files.
/* global __filename */
require('tsx/cjs/api').require('./xlsx-worker.ts', __filename);
