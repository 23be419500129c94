/** The command line: parse options, start, print where to connect, stop gracefully on SIGINT/SIGTERM. */
import { resolve } from 'node:path';
import { HELP, parseCli } from './config.ts';
import { SERVER_INFO, startServer } from './index.ts';
import { BUILTIN_MODEL_ID, ensureModel, FETCH_MODEL_HINT, modelInstalled } from './search/model-files.ts';
import { NEWEST } from './versioning.ts';

async function main(): Promise<void> {
  let request: ReturnType<typeof parseCli>;
  try {
    request = parseCli(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`omp-reference-server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.stderr.write('Run with --help for the options.\n');
    process.exit(2);
  }
  if (request.kind === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (request.kind === 'version') {
    process.stdout.write(
      `${SERVER_INFO.name} ${SERVER_INFO.version} (OMP ${NEWEST}; 0.3 with --spec-versions 0.3)\n`,
    );
    return;
  }
  if (request.kind === 'fetch-model') {
    try {
      ensureModel((line) => process.stdout.write(`omp-reference-server: ${line}\n`));
      process.stdout.write('omp-reference-server: the built-in embedding model is installed\n');
    } catch (err) {
      process.stderr.write(
        `omp-reference-server: the built-in embedding model is not installed (${err instanceof Error ? err.message : String(err)}).\n` +
          '  Semantic and hybrid search need it, or an OpenAI-compatible embedder (--embedder-url).\n',
      );
      process.exitCode = 1;
    }
    return;
  }
  const { options } = request;
  if (options.apiKey !== undefined && options.apiKey.length < 32) {
    process.stderr.write('warning: the API key is shorter than 32 characters; use a long random key.\n');
  }
  if ((options.embedder === 'builtin' || options.embedder === 'builtin-enpt') && !modelInstalled()) {
    process.stderr.write(
      `warning: the built-in embedding model is not installed (${FETCH_MODEL_HINT});\n` +
        '  serving Core keyword search only: semantic and hybrid requests run as keyword.\n',
    );
    options.embedder = 'off';
  }
  const server = await startServer(options);
  const db =
    server.dbPath === ':memory:'
      ? ':memory: (nothing is kept after exit)'
      : /^postgres(ql)?:/.test(server.dbPath)
        ? server.dbPath
        : resolve(server.dbPath);
  const lines = [
    `OMP reference server ${SERVER_INFO.version} listening on ${server.url}`,
    `  database: ${db}`,
    `  health:   curl ${server.url}/v1/health`,
    `  search:   ${
      options.embedder === 'off' || options.embedder === undefined
        ? 'keyword only (Core)'
        : `keyword, semantic and hybrid with ${options.embedder === 'builtin' ? BUILTIN_MODEL_ID : options.embedder === 'builtin-enpt' ? `${BUILTIN_MODEL_ID}, enpt variant` : typeof options.embedder === 'object' && 'url' in options.embedder ? `${options.embedder.model} at ${options.embedder.url}` : 'a custom embedder'}`
    }`,
  ];
  if (server.generatedKeyFile !== null && server.apiKey !== null) {
    lines.push(
      `  API key (generated now, shown only once; only its hash is stored in ${server.generatedKeyFile}):`,
      `    ${server.apiKey}`,
    );
  } else if (server.generatedKeyFile !== null) {
    lines.push(
      `  API key: the one generated earlier (hash in ${server.generatedKeyFile}; delete it for a new key)`,
    );
  } else if (options.apiKey === undefined && server.apiKey !== null) {
    lines.push(`  API key (in-memory store, valid until exit): ${server.apiKey}`);
  } else {
    const principals = new Set(server.keys.map((k) => k.principal));
    lines.push(`  keys: ${server.keys.length} configured, for ${principals.size} principal(s)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`${signal}: finishing in-flight requests, then closing the database\n`);
    server.close().then(
      () => {
        const { commits, writes } = server.commitStats();
        process.stderr.write(`${JSON.stringify({ level: 'info', msg: 'stopped', commits, writes })}\n`);
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`omp-reference-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
