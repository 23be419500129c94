/** The adapter's environment (OMP-CLIENT-010): the table, and the real bin failing at start. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.ts';
import { BIN } from './support/live.ts';

describe('readConfig', () => {
  const ok: [string, { env: Record<string, string>; want: object }][] = [
    [
      'both set, trailing slash dropped',
      {
        env: { OMP_SERVER: 'http://127.0.0.1:3456/', OMP_API_KEY: 'k' },
        want: { baseUrl: 'http://127.0.0.1:3456', apiKey: 'k', clientName: undefined, outputSchemas: true },
      },
    ],
    [
      'OMP_TOOL',
      {
        env: { OMP_SERVER: 'https://m.example', OMP_API_KEY: 'k', OMP_TOOL: ' cursor ' },
        want: { clientName: 'cursor' },
      },
    ],
    [
      'OMP_OUTPUT_SCHEMAS=off',
      {
        env: { OMP_SERVER: 'https://m.example', OMP_API_KEY: 'k', OMP_OUTPUT_SCHEMAS: 'off' },
        want: { outputSchemas: false },
      },
    ],
  ];
  for (const [name, { env, want }] of ok) {
    it(name, () => {
      const read = readConfig(env);
      expect('config' in read && read.config).toMatchObject(want);
    });
  }

  const bad: [string, { env: Record<string, string>; want: RegExp }][] = [
    ['nothing set', { env: {}, want: /OMP_SERVER and OMP_API_KEY are not set/ }],
    ['no server', { env: { OMP_API_KEY: 'k' }, want: /OMP_SERVER is not set/ }],
    ['no key', { env: { OMP_SERVER: 'http://h' }, want: /OMP_API_KEY is not set/ }],
    ['blank key', { env: { OMP_SERVER: 'http://h', OMP_API_KEY: '  ' }, want: /OMP_API_KEY is not set/ }],
    [
      'not a URL',
      {
        env: { OMP_SERVER: 'localhost:3456', OMP_API_KEY: 'k' },
        want: /OMP_SERVER must be an http or https URL|OMP_SERVER is not a URL/,
      },
    ],
    [
      'another scheme',
      { env: { OMP_SERVER: 'ftp://h', OMP_API_KEY: 'k' }, want: /OMP_SERVER must be an http or https URL/ },
    ],
    [
      'bad switch',
      {
        env: { OMP_SERVER: 'http://h', OMP_API_KEY: 'k', OMP_OUTPUT_SCHEMAS: 'maybe' },
        want: /OMP_OUTPUT_SCHEMAS/,
      },
    ],
  ];
  for (const [name, { env, want }] of bad) {
    it(`rejects ${name}`, () => {
      const read = readConfig(env);
      expect('error' in read && read.error).toMatch(want);
    });
  }
});

describe('omp-mcp at start', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['without OMP_SERVER', { OMP_API_KEY: 'k' }, /OMP_SERVER/],
    ['without OMP_API_KEY', { OMP_SERVER: 'http://127.0.0.1:9' }, /OMP_API_KEY/],
  ];
  for (const [name, env, want] of cases) {
    it(`exits 1 ${name}, naming it on stderr and printing nothing on stdout`, () => {
      const run = spawnSync(process.execPath, [BIN], {
        env: { PATH: process.env.PATH ?? '', ...env },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(want);
      expect(run.stdout).toBe('');
    });
  }
});
