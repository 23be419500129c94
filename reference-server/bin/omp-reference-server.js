#!/usr/bin/env node
// Node >= 22.18 runs the TypeScript sources directly by stripping types. It refuses to strip files under
// node_modules, so this works from a checkout or an npm workspace (symlinked), not from an installed tarball:
// a published package would ship JavaScript built from src/ instead (see README, "Publishing").
import('../src/cli.ts').catch((err) => {
  if (err?.code === 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING') {
    process.stderr.write(
      'omp-reference-server: this copy has no built JavaScript; run it from a checkout.\n',
    );
  } else {
    process.stderr.write(`omp-reference-server: ${err?.stack ?? err}\n`);
  }
  process.exit(1);
});
