import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The packaging test on its own (`npm run test:packaging`): one file, run alone, because it packs, installs and
 * starts servers on several Node versions; the repository's main vitest run leaves release/ out.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
