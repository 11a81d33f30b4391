import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Builds the admin UI (Vite) when there is no build yet or a source file is newer than it, so
 * `npm start` and the browser tests never serve a stale UI and never rebuild needlessly.
 */
const root = path.resolve(__dirname, '..');
const sourceDir = path.join(root, 'admin-ui', 'src');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

export function adminUiIsStale(distDir: string): boolean {
  const built = path.join(distDir, 'index.html');
  return !fs.existsSync(built) || newestMtime(sourceDir) > fs.statSync(built).mtimeMs;
}

/** Answers false if a build was needed and failed. */
export function buildAdminUiIfStale(distDir: string): boolean {
  if (!adminUiIsStale(distDir)) return true;
  // Always a production build: under jest NODE_ENV is "test", and Vite would then bundle React's
  // development build (100 kB more, and slower) into what the browser tests measure and users get.
  const result = spawnSync('npm', ['run', '--silent', 'build:ui'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  return result.status === 0;
}
