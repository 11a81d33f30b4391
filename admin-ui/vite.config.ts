import path from 'node:path';
import { defineConfig } from 'vite';

/**
 * The admin UI. `npm run dev:ui` serves it with hot reload on :5173 and proxies /api to the
 * API on :3000 (so cookies stay same-origin); `npm run build:ui` writes admin-ui/dist, which the
 * API serves in production.
 */
export default defineConfig({
  root: __dirname,
  build: {
    outDir: path.join(__dirname, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      // MUI marks its modules 'use client' for React Server Components; meaningless in a SPA bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  // form-js's editor pins an older preact than its viewer and properties panel use; two copies
  // in one page break preact's hooks, so the bundle keeps one.
  resolve: { dedupe: ['preact'] },
  server: {
    port: 5173,
    proxy: { '/api': { target: `http://127.0.0.1:${process.env.PORT ?? 3000}`, changeOrigin: false } },
  },
  // JSX with the automatic runtime, without a React plugin (none installs cleanly with Vite 8 here).
  oxc: { jsx: { runtime: 'automatic' } },
});
