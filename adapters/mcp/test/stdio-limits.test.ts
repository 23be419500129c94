/**
 * The stdio adapter's failure modes (issue #14): a message over the transport's 10 MiB line limit is said on
 * stderr and ends the process with status 1, never a silent exit 0; a normal end of stdin is still status 0.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.ts';
import { BIN } from './support/live.ts';

function run(
  input: (stdin: NodeJS.WritableStream) => void,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN], {
    // Nothing listens on port 9: the key check fails, which is not fatal; the tools would report it per call.
    env: { PATH: process.env.PATH ?? '', OMP_SERVER: 'http://127.0.0.1:9', OMP_API_KEY: 'k'.repeat(32) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  child.stdout.resume();
  child.stdin.on('error', () => undefined); // the adapter may exit before taking everything
  input(child.stdin);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

describe('omp-mcp stdio failures', () => {
  it('a 20 MB message: the transport error on stderr and exit status 1', async () => {
    const { code, stderr } = await run((stdin) => {
      const huge = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'add_memories', arguments: { text: 'x'.repeat(20 * 1024 * 1024) } },
      });
      stdin.write(`${huge}\n`);
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/transport error: .*maximum size/);
  });

  it('the end of stdin is a normal exit', async () => {
    const { code } = await run((stdin) => stdin.end());
    expect(code).toBe(0);
  });
});

describe('OMP_SERVER', () => {
  it.each([
    ['http://127.0.0.1:3456', 'http://127.0.0.1:3456'],
    ['http://127.0.0.1:3456/', 'http://127.0.0.1:3456'],
    ['http://127.0.0.1:3456/v1', 'http://127.0.0.1:3456'],
    ['https://omp.example/base/v1/', 'https://omp.example/base'],
  ])('%s is the server root %s', (server, root) => {
    const read = readConfig({ OMP_SERVER: server, OMP_API_KEY: 'k' });
    expect('config' in read && read.config.baseUrl).toBe(root);
  });
});
