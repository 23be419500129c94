import { defineConfig } from 'vitest/config';

/** One vitest run for the whole repo; each package's tests live beside it under test/. */
export default defineConfig({
  test: {
    include: ['**/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '.tools/**', 'release/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
