import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Builds the renderer only; the main process is bundled by scripts/build-main.mjs.
export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [svelte({ configFile: '../svelte.config.js' })],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // Inline nothing as data: URLs; the CSP forbids them for scripts.
    assetsInlineLimit: 0,
  },
});
