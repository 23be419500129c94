/**
 * Run-wide MCP checks, imported after every other check file and exclusive (so they run last): every message any
 * MCP endpoint sent during the run judged against the MCP protocol's schemas (OMP-MCP-020), and how a stdio
 * adapter reads its configuration (OMP-CLIENT-010).
 */
import { spawn } from 'node:child_process';
import { short } from '../core/assert.ts';
import { check } from '../core/registry.ts';
import { commandSets } from '../mcp/target.ts';
import { callErr, callOk, listTools, mcpAdd } from './mcp-helpers.ts';

check(
  'OMP-MCP-020',
  'MUST send only valid JSON-RPC 2.0 messages of the negotiated MCP protocol version, on the whole run',
  async (t) => {
    // Its own exchange first (with --only this check still sees every kind of message), then the run's.
    const s = await t.mcp();
    const ping = await s.request('ping');
    if (ping.kind === 'error')
      t.softFail(`ping answered JSON-RPC error ${ping.error.code}: ${short(ping.error.message)}`);
    await listTools(t, s);
    await callOk(t, s, 'list_memories', { namespace: t.ns });
    await callErr(t, s, 'list_memories', { limit: 0 }, 'validation_error');
    await s.callTool(`omp_conformance_no_such_tool_${t.run.runId}`, {});
    const m = t.mcpRun.monitor;
    for (const v of m.violations) t.softFail(`${v.endpoint}: ${v.message}`);
    t.note(
      `${m.messages} MCP messages from ${m.sessions} sessions checked against the MCP ${s.protocolVersion ?? ''} schemas; ${m.violations.length} invalid`,
    );
  },
  { exclusive: true },
);

/** Run the adapter's command with a variable missing; resolves with its exit and output (killed after ms). */
function startWithout(
  command: string,
  env: NodeJS.ProcessEnv,
  ms: number,
): Promise<{ exit: number | string | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let output = '';
    const collect = (d: Buffer) => {
      output = (output + d.toString('utf8')).slice(-4_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.stdin.on('error', () => undefined);
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      resolve({ exit: null, output });
    }, ms);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ exit: 'spawn error', output: e.message });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ exit: code ?? signal, output });
    });
  });
}

// OMP-MCP-021 is OMP-CLIENT-010's predecessor (0.3): the same behaviour, judged under the version certified against.
for (const id of ['OMP-CLIENT-010', 'OMP-MCP-021'])
  check(
    id,
    'MUST read OMP_SERVER and OMP_API_KEY, and fail at start naming a missing one',
    async (t) => {
      const target = t.mcpRun.target;
      if (target.kind !== 'stdio') throw new Error('runner bug: OMP-CLIENT-010 needs a stdio target');
      // Reads them: what it adds with the key the runner gave it is the key's principal's, on this server.
      const s = await t.mcp();
      const m = await mcpAdd(t, s);
      await t.api.getMemory(m.id);
      const base: NodeJS.ProcessEnv = { ...process.env, OMP_SERVER: t.mcpRun.o.baseUrl };
      base.OMP_API_KEY = t.secret();
      const missing = ['OMP_SERVER', 'OMP_API_KEY'].filter((name) => !commandSets(target.command, name));
      if (missing.length === 0)
        t.note('the command sets both variables itself: their absence cannot be tried');
      for (const name of missing) {
        const env = { ...base };
        delete env[name];
        const { exit, output } = await startWithout(target.command, env, t.mcpRun.o.timeoutMs);
        if (exit === null)
          t.softFail(
            `without ${name} the adapter did not fail at start: still running after ${t.mcpRun.o.timeoutMs} ms`,
          );
        else if (exit === 0) t.softFail(`without ${name} the adapter exited with code 0, not a failure`);
        if (!output.includes(name))
          t.softFail(
            `without ${name} the adapter's output does not name it: ${short(t.mcpRun.o.redact(output.trim()), 300)}`,
          );
      }
    },
    { needs: [{ kind: 'mcp-stdio' }] },
  );
