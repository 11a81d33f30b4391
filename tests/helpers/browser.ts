import http from 'node:http';
import path from 'node:path';
import type { Express } from 'express';
import { chromium, type Browser } from 'playwright-core';
import { buildAdminUiIfStale } from '../../scripts/admin-ui-build';

const root = path.resolve(__dirname, '../..');
export const UI_DIST = path.join(root, 'admin-ui', 'dist');
export const ARTIFACTS = path.join(root, 'tests', 'artifacts');
/**
 * Screenshots the README shows. The browser tests take them on every run, into tests/artifacts
 * so that a test run leaves the tree clean; `UPDATE_SCREENSHOTS=1` writes them to docs/screenshots.
 */
export const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(root, 'docs', 'screenshots') : path.join(ARTIFACTS, 'screenshots');

/** Builds the admin UI if there is no build or its sources changed (Vite takes a few seconds). */
export function ensureUiBuilt(): void {
  if (!buildAdminUiIfStale(UI_DIST)) throw new Error('the admin UI build failed');
}

/**
 * Debian's Chromium, headless. The flags keep it from reaching for Google's services, which
 * this network refuses (and which slows every start when it tries).
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=zh-CN'],
  });
}

/** Serves an express app on a free loopback port; resolves to its base URL and a closer. */
export async function serve(app: Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A browser test's platform without workers: a fresh database, the API serving the built UI on
 * a free port, and Chromium. `stop()` closes all of it.
 */
export interface UiTestbed {
  db: import('knex').Knex;
  browser: Browser;
  url: string;
  stop(): Promise<void>;
}

export async function startUiTestbed(config: Record<string, unknown> = {}): Promise<UiTestbed> {
  ensureUiBuilt();
  const { freshTestDatabase } = await import('./db');
  const { testApp } = await import('./api');
  const { db } = await freshTestDatabase();
  const t = testApp(db, { config: { UI_DIST_DIR: UI_DIST, ...config } });
  const server = await serve(t.app);
  const browser = await launchBrowser();
  return {
    db,
    browser,
    url: server.url,
    async stop() {
      await browser.close();
      await server.close();
      await t.temporal.close();
      await db.destroy();
    },
  };
}
