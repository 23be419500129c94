/**
 * The TypeScript runner of the language-neutral SDK scenarios (scenarios/README.md): every file of
 * scenarios/cases/ runs as one test through this SDK against the harness (a reference server on a temporary
 * database and a fault-injecting proxy). A scenario the runner cannot interpret fails; none is skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  casesDir,
  type Harness,
  runScenario,
  ScenarioError,
  startHarness,
} from './support/scenario-runner.ts';

const cases = readdirSync(casesDir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const ran = new Set<string>();
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.stop();
});

describe('scenarios/cases', () => {
  it('holds the shared suite', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  // Each scenario may wait for retries (Retry-After) and timeouts; none takes near a minute.
  it.each(cases)('%s', { timeout: 60_000 }, async (file) => {
    const scenario: unknown = JSON.parse(readFileSync(join(casesDir, file), 'utf8'));
    let verdict = 'FAIL';
    try {
      await runScenario(scenario, harness);
      verdict = 'pass';
    } finally {
      ran.add(file);
      // scenarios/README.md: every runner prints one line per scenario.
      process.stdout.write(`scenario ${file}: ${verdict}\n`);
    }
  });

  // Tests in a file run in order: this one sees every case's test done (passed or failed), none skipped.
  it('ran one test per case file', () => {
    expect([...ran].sort()).toEqual(cases);
  });
});

const health = { call: 'getHealth', expect: { ok: true } };
const scenario = (rest: object) => ({
  description: 'd',
  requirements: ['OMP-HEALTH-001'],
  steps: [health],
  ...rest,
});

/** The runner refuses what it cannot interpret, and fails an expectation that does not hold. */
describe('the runner fails rather than skips', () => {
  const table: [string, { given: object; want: 'ok' | 'cannot-run' | 'fails' }][] = [
    ['a valid scenario', { given: scenario({}), want: 'ok' }],
    ['an unknown top-level member', { given: scenario({ skip: true }), want: 'cannot-run' }],
    ['no steps', { given: scenario({ steps: [] }), want: 'cannot-run' }],
    [
      'an unknown call',
      { given: scenario({ steps: [{ call: 'getEverything', expect: { ok: true } }] }), want: 'cannot-run' },
    ],
    [
      'an unknown argument',
      { given: scenario({ steps: [{ ...health, args: { verbose: true } }] }), want: 'cannot-run' },
    ],
    [
      'an unknown expectation',
      {
        given: scenario({ steps: [{ call: 'getHealth', expect: { ok: true, fast: true } }] }),
        want: 'cannot-run',
      },
    ],
    [
      'ok and error together',
      {
        given: scenario({ steps: [{ call: 'getHealth', expect: { ok: true, error: 'ServerError' } }] }),
        want: 'cannot-run',
      },
    ],
    [
      'an unknown saved value',
      {
        given: scenario({
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the scenarios' own placeholder syntax
          steps: [{ call: 'getMemory', args: { id: '${nothing.id}' }, expect: { ok: true } }],
        }),
        want: 'cannot-run',
      },
    ],
    ['an unknown token', { given: scenario({ client: { token: 'c' } }), want: 'cannot-run' }],
    [
      '$faults without faults',
      { given: scenario({ steps: [{ call: '$faults', expect: { ok: true } }] }), want: 'cannot-run' },
    ],
    [
      'an expectation that does not hold',
      {
        given: scenario({
          steps: [{ call: 'getHealth', expect: { ok: true, match: { status: 'degraded' } } }],
        }),
        want: 'fails',
      },
    ],
    [
      'an error expected, the call succeeds',
      {
        given: scenario({ steps: [{ call: 'getHealth', expect: { error: 'ServerError' } }] }),
        want: 'fails',
      },
    ],
  ];
  it.each(table)('%s', async (_name, { given, want }) => {
    const outcome = await runScenario(given, harness).then(
      () => 'ok',
      (e: unknown) => (e instanceof ScenarioError ? 'cannot-run' : 'fails'),
    );
    expect(outcome).toBe(want);
  });
});
