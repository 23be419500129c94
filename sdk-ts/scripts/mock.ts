/**
 * `npm run mock [-- --port 4010] [--host 127.0.0.1] [--dynamic] [--seed N]`: serve spec/openapi.yaml with
 * Prism. Static mode answers with the spec's examples (choose one with `Prefer: example=<name>`, a status
 * with `Prefer: code=<status>`); --dynamic generates bodies from the schemas instead.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Arguments for `prism mock` from this script's options. */
export function prismArgs(o: { port?: string; host?: string; dynamic?: boolean; seed?: string }): string[] {
  const args = [
    'mock',
    join(root, 'spec', 'openapi.yaml'),
    '--host',
    o.host ?? '127.0.0.1',
    '--port',
    o.port ?? '4010',
  ];
  if (o.dynamic) args.push('--dynamic');
  if (o.seed) args.push('--seed', o.seed);
  return args;
}

/** The Prism CLI entry point installed at the repository root. */
export function prismBin(): string {
  return createRequire(join(root, 'package.json')).resolve('@stoplight/prism-cli/dist/index.js');
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      dynamic: { type: 'boolean' },
      seed: { type: 'string' },
    },
  });
  const child = spawn(process.execPath, [prismBin(), ...prismArgs(values)], { stdio: 'inherit', cwd: root });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}
