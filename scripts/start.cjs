#!/usr/bin/env node
// `npm start` on a fresh clone: install the locked dependencies if they are missing, then hand
// over to the TypeScript orchestrator. Plain CommonJS because nothing else is installed yet.
const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lockInstalled = path.join(root, 'node_modules', '.package-lock.json');
if (!fs.existsSync(lockInstalled) || !fs.existsSync(path.join(root, 'node_modules', 'tsx'))) {
  console.log('[start] installing dependencies from package-lock.json (first run) …');
  let result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  // npm 11 may refuse its own lock file over other platforms' optional binaries (npm/cli#8805);
  // npm install installs the same locked versions.
  if (result.status !== 0) result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'start-platform.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
// The orchestrator handles Ctrl-C itself (the terminal sends SIGINT to the whole group); just
// keep this wrapper alive until it has finished shutting everything down.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
