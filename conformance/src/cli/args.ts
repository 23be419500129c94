/** Command-line parsing: flags and environment variables to validated run options (usage errors exit 2). */
import { parseArgs } from 'node:util';
import type { Level } from '../core/types.ts';
import { REPORTERS, type ReporterName } from '../reporters/index.ts';

/** A usage or configuration error: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What the CLI does. */
export interface CliConfig {
  help: boolean;
  version: boolean;
  baseUrl: string | null;
  token?: string;
  tokenB?: string;
  toolTokens: Record<string, string>;
  levels: Level[];
  only: string[];
  skip: string[];
  reporters: ReporterName[];
  outDir: string;
  timeoutMs: number;
  concurrency: number;
  keepData: boolean;
  expectedFailures?: string;
  strict: boolean;
  verbose: boolean;
  color?: boolean;
  /** A stdio MCP adapter to certify (a shell command line). */
  mcpCommand?: string;
  /** An MCP endpoint to certify over Streamable HTTP. */
  mcpUrl?: string;
  /** The spec version to certify against (default: the newest both the runner and the server speak). */
  specVersion?: string;
}

const LEVEL_NAMES = ['core', 'search', 'full', 'mcp', 'control'];

function list(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

function int(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} needs an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Parse `name=TOKEN` pairs (comma- or whitespace-separated in the env variable). */
export function parseToolTokens(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0 || i === p.length - 1)
      throw new UsageError(
        `--tool-token wants name=KEY, got "${p.includes('=') ? p.slice(0, i + 1) : p.slice(0, 12)}…"`,
      );
    const name = p.slice(0, i);
    if (out[name] !== undefined) throw new UsageError(`tool key for "${name}" given twice`);
    out[name] = p.slice(i + 1);
  }
  return out;
}

/** Parse argv (without node and script) and the environment. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliConfig {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        token: { type: 'string' },
        'token-b': { type: 'string' },
        'tool-token': { type: 'string', multiple: true },
        level: { type: 'string', multiple: true },
        only: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        reporter: { type: 'string', multiple: true },
        out: { type: 'string' },
        timeout: { type: 'string' },
        concurrency: { type: 'string' },
        'keep-data': { type: 'boolean' },
        'expected-failures': { type: 'string' },
        strict: { type: 'boolean' },
        verbose: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        color: { type: 'boolean' },
        'mcp-command': { type: 'string' },
        'mcp-url': { type: 'string' },
        'spec-version': { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const positionals = parsed.positionals;
  if (positionals.length > 1)
    throw new UsageError(`expected at most one base URL, got ${positionals.length} arguments`);
  const baseUrl = positionals[0] ?? null;
  if (baseUrl !== null) {
    let u: URL;
    try {
      u = new URL(baseUrl);
    } catch {
      throw new UsageError(`"${baseUrl}" is not a URL (want e.g. http://localhost:3456)`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new UsageError(`base URL must be http or https: ${baseUrl}`);
    if (u.search || u.hash) throw new UsageError('base URL must not carry a query or fragment');
    if (u.username || u.password) throw new UsageError('put credentials in --token, not in the URL');
  }
  const levels = list(v.level as string[] | undefined);
  for (const l of levels)
    if (!LEVEL_NAMES.includes(l))
      throw new UsageError(`unknown level "${l}" (core, search, full, mcp, control)`);
  const mcpCommand = v['mcp-command'] as string | undefined;
  const mcpUrl = v['mcp-url'] as string | undefined;
  if (mcpCommand !== undefined && mcpUrl !== undefined)
    throw new UsageError('give either --mcp-command or --mcp-url: a run certifies one MCP endpoint');
  if (mcpCommand !== undefined && mcpCommand.trim() === '') throw new UsageError('--mcp-command is empty');
  if (mcpUrl !== undefined) {
    let u: URL;
    try {
      u = new URL(mcpUrl);
    } catch {
      throw new UsageError(`--mcp-url "${mcpUrl}" is not a URL (want e.g. http://localhost:3456/mcp)`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new UsageError(`--mcp-url must be http or https: ${mcpUrl}`);
    if (u.username || u.password) throw new UsageError('put credentials in --token, not in --mcp-url');
  }
  const specVersion = v['spec-version'] as string | undefined;
  if (specVersion !== undefined && !/^\d+\.\d+$/.test(specVersion))
    throw new UsageError(`--spec-version needs MAJOR.MINOR, e.g. 0.4, got "${specVersion}"`);
  const reporters = list(v.reporter as string[] | undefined);
  for (const r of reporters)
    if (!(REPORTERS as readonly string[]).includes(r))
      throw new UsageError(`unknown reporter "${r}" (${REPORTERS.join(', ')})`);
  const envTools = parseToolTokens(list((env.OMP_TOOL_TOKENS ?? '').split(/\s+/)));
  const cliTools = parseToolTokens((v['tool-token'] as string[] | undefined) ?? []);
  const token = (v.token as string | undefined) ?? (env.OMP_TOKEN || undefined);
  const tokenB = (v['token-b'] as string | undefined) ?? (env.OMP_TOKEN_B || undefined);
  if (token !== undefined && token.trim() === '') throw new UsageError('--token is empty');
  const cfg: CliConfig = {
    help: v.help === true,
    version: v.version === true,
    baseUrl,
    toolTokens: { ...envTools, ...cliTools },
    levels: levels as Level[],
    only: list(v.only as string[] | undefined),
    skip: list(v.skip as string[] | undefined),
    reporters: (reporters.length ? reporters : ['pretty']) as ReporterName[],
    outDir: (v.out as string | undefined) ?? 'omp-conformance-report',
    timeoutMs: int('timeout', v.timeout as string | undefined, 10_000, 100, 600_000),
    concurrency: int('concurrency', v.concurrency as string | undefined, 8, 1, 64),
    keepData: v['keep-data'] === true,
    strict: v.strict === true,
    verbose: v.verbose === true,
  };
  if (token !== undefined) cfg.token = token;
  if (tokenB !== undefined) cfg.tokenB = tokenB;
  if (v['expected-failures'] !== undefined) cfg.expectedFailures = v['expected-failures'] as string;
  if (mcpCommand !== undefined) cfg.mcpCommand = mcpCommand;
  if (mcpUrl !== undefined) cfg.mcpUrl = mcpUrl;
  if (specVersion !== undefined) cfg.specVersion = specVersion;
  if (v['no-color'] === true) cfg.color = false;
  else if (v.color === true) cfg.color = true;
  return cfg;
}

/** The --help text. */
export const HELP = `omp-conformance — certify an Open Memory Protocol server against the normative spec

Usage:
  omp-conformance [<base-url>] [options]

With no <base-url>, starts the bundled reference server on a temporary database (with a second principal
and per-tool keys configured) and certifies it, its own MCP endpoint (/mcp) included.

MCP (level mcp): a server that declares level mcp has its own /mcp endpoints certified. An adapter is
certified with --mcp-command (stdio: the runner starts it with OMP_SERVER=<base-url> and OMP_API_KEY=<key>
unless the command line sets them) or --mcp-url (Streamable HTTP, the keys sent as bearer tokens); its
tools' effects are checked through the server's HTTP API with the same keys.

Options:
  --token KEY               global key of the principal under test (env OMP_TOKEN)
  --token-b KEY             global key of a second principal, for Full isolation checks (env OMP_TOKEN_B)
  --tool-token NAME=KEY     per-tool key bound to tool NAME; repeat for several (env OMP_TOOL_TOKENS="a=K1 b=K2")
  --level LEVEL             core | search | full | mcp (repeat or comma-separate); default: every level the
                            server declares (mcp too when an adapter is given)
  --mcp-command CMD         certify the stdio MCP adapter this shell command starts, e.g. "npx omp-mcp"
  --mcp-url URL             certify the MCP endpoint at URL over Streamable HTTP (bearer keys as for the API)
  --spec-version V          certify against spec version V (0.3 or 0.4); default: the newest version both
                            this runner and the server (health versions) speak
  --only IDS                run only these checks (check IDs, requirement IDs or prefixes like OMP-CRUD)
  --skip IDS                leave these checks out
  --reporter LIST           pretty,json,junit,html,markdown,badge (default pretty); files go to --out
  --out DIR                 folder for report files (default ./omp-conformance-report)
  --timeout MS              per-request timeout (default 10000)
  --concurrency N           checks in flight at once (default 8)
  --keep-data               do not delete what the run created (it carries the run's tag)
  --expected-failures FILE  baseline of known failures (JSON {"ID": "reason"} or one ID per line);
                            listed failures do not count, listed checks that pass make the run fail (stale)
  --strict                  SHOULD-level failures (warn) count against conformance too
  --verbose                 print every check, not only problems
  --no-color                plain output
  -h, --help                this text
  -v, --version             runner version

Exit codes:
  0 conformant at the requested levels   1 not conformant   2 usage or configuration error
  3 server unreachable, run interrupted or runner error (never counted against the server)

Examples:
  npx omp-conformance                                        # certify the bundled reference server
  OMP_TOKEN=sk-... npx omp-conformance http://localhost:3456 --level core
  npx omp-conformance https://mem.example.com --token "$KEY" --token-b "$KEY_B" \\
      --tool-token cursor="$CURSOR_KEY" --tool-token reader="$READER_KEY" --level full
  npx omp-conformance http://localhost:3456 --token "$KEY" --token-b "$KEY_B" --mcp-command "npx omp-mcp"
  npx omp-conformance http://localhost:3456 --token "$KEY" --mcp-url http://localhost:3456/mcp
  npx omp-conformance http://localhost:3456 --only OMP-CRUD,OMP-LIST-006 --reporter pretty,json,html --out reports
  npx omp-conformance http://localhost:3456 --reporter markdown --out . && cat report.md >> "$GITHUB_STEP_SUMMARY"

Keys on the command line are visible to other local users; prefer the environment variables.
`;
