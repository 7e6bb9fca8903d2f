import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    // Processed by vitest (not loaded by Node as is), so a test can fake the Electron runtime it imports.
    server: { deps: { inline: ['electron-store'] } },
  },
});
