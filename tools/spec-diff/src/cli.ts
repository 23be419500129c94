/**
 * `omp-spec-diff [--format text|json|markdown] <old> <new>`: reports the changes from one spec version to
 * another. Exit 0 without breaking changes, 1 with at least one, 2 on a usage error or an unreadable version.
 */
import { parseArgs } from 'node:util';
import { diffSpecs, hasBreaking } from './diff/index.ts';
import { loadSpecVersion, SpecLoadError } from './load/version.ts';
import { type Format, formatReport, formats } from './report.ts';

/** Exit codes of the CLI. */
export const exitCodes = { ok: 0, breaking: 1, usage: 2 } as const;

const usage = `usage: omp-spec-diff [--format text|json|markdown] <old> <new>

  <old>, <new>  a spec version: a folder holding openapi.yaml (schemas in <dir>/schemas/ or <dir>/../schemas/,
                optional requirements.json, retired-requirements.json and SPEC.md), or its openapi.yaml
  --format      text (default), json or markdown
  --help        this text

Exit status: 0 no breaking change, 1 at least one breaking change, 2 usage error or unreadable version.
Example: npm run spec:diff -- spec/releases/0.3 spec
`;

/** Streams the CLI writes to; tests pass their own. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** Run the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let values: { format?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: { format: { type: 'string', short: 'f' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    io.stderr(`omp-spec-diff: ${(error as Error).message}\n\n${usage}`);
    return exitCodes.usage;
  }
  if (values.help) {
    io.stdout(usage);
    return exitCodes.ok;
  }
  const format = (values.format ?? 'text') as Format;
  if (!formats.includes(format)) {
    io.stderr(`omp-spec-diff: unknown format "${values.format}"; use text, json or markdown\n`);
    return exitCodes.usage;
  }
  if (positionals.length !== 2) {
    io.stderr(`omp-spec-diff: expected two spec versions, got ${positionals.length}\n\n${usage}`);
    return exitCodes.usage;
  }
  try {
    const [oldVersion, newVersion] = await Promise.all(positionals.map((p) => loadSpecVersion(p)));
    const report = diffSpecs(oldVersion!, newVersion!);
    io.stdout(formatReport(report, format));
    return hasBreaking(report) ? exitCodes.breaking : exitCodes.ok;
  } catch (error) {
    if (!(error instanceof SpecLoadError)) throw error;
    io.stderr(`omp-spec-diff: ${error.message}\n`);
    return exitCodes.usage;
  }
}
