import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { generateKey } from '../src/index.ts';
import { BIN, client, memoryBody, startChild } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'omp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 15_000,
  });

describe('command line', () => {
  test('--help explains every option', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const flag of [
      '--host',
      '--port',
      '--db',
      '--api-key',
      '--principal',
      '--keys-file',
      '--store',
      '--vector-exact-below',
      '--max-body-bytes',
      '--max-import-bytes',
      '--max-connections',
      '--headers-timeout',
      '--request-timeout',
      '--keep-alive-timeout',
      '--mcp-max-sessions',
      '--mcp-max-sessions-per-key',
      '--mcp-session-idle',
      '--mcp-allowed-origins',
      '--no-cache',
      '--no-access-log',
      '--quiet',
      '--help',
      '--version',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    for (const env of ['OMP_HOST', 'OMP_PORT', 'OMP_DB', 'OMP_STORE', 'OMP_API_KEY', 'OMP_KEYS_FILE'])
      expect(r.stdout).toContain(env);
  });

  const bad: [string, string[], Record<string, string>, RegExp][] = [
    ['unknown flag', ['--nope'], {}, /Unknown option/],
    ['bad port', ['--port', '70000'], {}, /--port must be an integer/],
    ['body limit below the spec minimum', ['--max-body-bytes', '1000'], {}, /--max-body-bytes/],
    ['unknown embedder', ['--embedder', 'gpt'], {}, /--embedder must be builtin, builtin-enpt or off/],
    ['embedder URL without a model', ['--embedder-url', 'http://127.0.0.1:1'], {}, /--embedder-model/],
    ['no connections', ['--max-connections', '0'], {}, /--max-connections must be an integer/],
    [
      'an exact-search threshold that is no number',
      ['--vector-exact-below', 'many'],
      {},
      /--vector-exact-below must be/,
    ],
    ['a headers timeout below a second', [], { OMP_HEADERS_TIMEOUT: '10' }, /--headers-timeout/],
    ['a store that is not a Postgres URL', ['--store', 'mysql://x'], {}, /postgres:\/\/ or postgresql:\/\//],
    [
      'a Postgres store without keys (every process must accept the same ones)',
      [],
      { OMP_STORE: 'postgres://omp:secret@127.0.0.1:1/omp' },
      /needs configured keys/,
    ],
    [
      'an unreachable Postgres store (the password is not echoed)',
      ['--store', 'postgres://omp:secret@127.0.0.1:1/omp', '--api-key', 'k'.repeat(32)],
      {},
      /ECONNREFUSED|connect/,
    ],
    [
      'missing keys file',
      ['--keys-file', '/nonexistent/keys.json', '--db', ':memory:'],
      {},
      /cannot read keys file/,
    ],
  ];
  test.each(bad)('%s fails with a readable message', (_n, args, env, message) => {
    const r = run(args, env);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).not.toContain('secret'); // a store URL's password is never printed
  });

  test('an invalid keys file names every problem', () => {
    const file = join(dir, 'bad-keys.json');
    writeFileSync(
      file,
      JSON.stringify([{ key: 'short', principal: 'a', scopes: ['admin'] }, { principal: 'b' }]),
    );
    const r = run(['--keys-file', file, '--db', ':memory:']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\/0\/key/);
    expect(r.stderr).toMatch(/\/0\/scopes\/0/);
    expect(r.stderr).toMatch(/\/1\/key/);
  });

  test('with no key configured, one is generated, printed once, stored as a 0600 hash, and reused', async () => {
    const db = join(dir, 'gen', 'omp.db');
    const first = await startChild(['--db', db, '--port', '0', '--quiet'], {
      OMP_API_KEY: '',
      OMP_KEYS_FILE: '',
    });
    const key = /\n\s+(omp_[A-Za-z0-9_-]{43})\n/.exec(first.stdout())?.[1] as string;
    expect(key).toMatch(/^omp_[A-Za-z0-9_-]{43}$/);
    expect((await client(first.url, key).post('/v1/memories', memoryBody())).status).toBe(201);
    const keyFile = `${db}.key`;
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await startChild(['--db', db, '--port', '0', '--quiet'], {
      OMP_API_KEY: '',
      OMP_KEYS_FILE: '',
    });
    try {
      expect(second.stdout()).not.toContain(key);
      const res = await client(second.url, key).get('/v1/health');
      expect(res.body.memories_count).toBe(1);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  test('keys file from the environment; one JSON log line per request without content or keys', async () => {
    const keys = join(dir, 'keys.json');
    const owner = generateKey();
    const cursor = generateKey();
    writeFileSync(
      keys,
      JSON.stringify([
        { key: owner, principal: 'alice' },
        { key: cursor, principal: 'alice', tool: 'cursor', scopes: ['read', 'write'], read_scope: 'own' },
      ]),
    );
    const srv = await startChild(['--port', '0', '--db', ':memory:'], {
      OMP_KEYS_FILE: keys,
      OMP_API_KEY: '',
    });
    try {
      const secret = 'very private content about a marmot';
      expect(
        (
          await client(srv.url, cursor).post(
            '/v1/memories',
            memoryBody({ content: secret, source: { tool: 'cursor' } }),
          )
        ).status,
      ).toBe(201);
      expect((await client(srv.url, cursor).get('/v1/me')).body.read_scope).toBe('own');
      await client(srv.url).get('/v1/nothing');
      srv.child.kill('SIGTERM');
      expect(await srv.exited).toBe(0);
      const lines = srv
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      const entries = lines.map((l) => JSON.parse(l));
      const create = entries.find((e) => e.method === 'POST');
      expect(create).toMatchObject({ msg: 'request', route: '/v1/memories', status: 201, tool: 'cursor' });
      expect(typeof create.duration_ms).toBe('number');
      expect(create.request_id).toMatch(/^req_/);
      expect(entries.find((e) => e.status === 404)).toMatchObject({ route: null, method: 'GET' });
      const all = srv.stderr();
      expect(all).not.toContain('marmot');
      expect(all).not.toContain(cursor);
      expect(all).not.toContain(owner);
    } finally {
      srv.child.kill('SIGKILL');
    }
  });

  test('a second server on the same database file refuses to start', async () => {
    const db = join(dir, 'locked.db');
    const key = generateKey();
    const first = await startChild(['--db', db, '--port', '0', '--quiet'], { OMP_API_KEY: key });
    try {
      const r = run(['--db', db, '--port', '0', '--quiet'], { OMP_API_KEY: key });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/in use by another process/);
      expect((await client(first.url, key).get('/v1/me')).status).toBe(200);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });

  test('SIGTERM lets an in-flight write finish and exits 0', async () => {
    const db = join(dir, 'graceful.db');
    const key = generateKey();
    const srv = await startChild(['--db', db, '--port', '0', '--quiet'], { OMP_API_KEY: key });
    // Half of the body is sent before the signal and the rest after it: the request is certainly in flight.
    const body = JSON.stringify(memoryBody({ content: 'written during shutdown' }));
    const u = new URL(`${srv.url}/v1/memories`);
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => {
        srv.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(20)), 200);
      }, 200);
    });
    const res = await response;
    expect(res.status).toBe(201);
    expect(await srv.exited).toBe(0);
    expect(srv.stderr()).toMatch(/SIGTERM: finishing in-flight requests/);
    const again = await startChild(['--db', db, '--port', '0', '--quiet'], { OMP_API_KEY: key });
    try {
      expect((await client(again.url, key).get(`/v1/memories/${JSON.parse(res.body).id}`)).status).toBe(200);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });
});
