/** The retry policy as a table: which statuses and network errors repeat, and how long the waits are. */
import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../src/core/errors.ts';
import { backoffMs, retryableNetworkError, retryableStatus } from '../src/core/retry.ts';

describe('retryableStatus', () => {
  const table: [string, { status: number; safe: boolean; want: boolean }][] = [
    ['408 on a get', { status: 408, safe: true, want: true }],
    ['429 on a get', { status: 429, safe: true, want: true }],
    ['500 on a get', { status: 500, safe: true, want: true }],
    ['502 on a get', { status: 502, safe: true, want: true }],
    ['503 on a get', { status: 503, safe: true, want: true }],
    ['504 on a get (not in SPEC.md §9.3)', { status: 504, safe: true, want: false }],
    ['501 on a get', { status: 501, safe: true, want: false }],
    ['404 on a get', { status: 404, safe: true, want: false }],
    ['422 on a get', { status: 422, safe: true, want: false }],
    ['409 on a get', { status: 409, safe: true, want: false }],
    ['429 on a create (it reached the server)', { status: 429, safe: false, want: false }],
    ['503 on a create', { status: 503, safe: false, want: false }],
    ['500 on a create', { status: 500, safe: false, want: false }],
  ];
  it.each(table)('%s', (_n, { status, safe, want }) => expect(retryableStatus(status, safe)).toBe(want));
});

describe('retryableNetworkError', () => {
  const refused = new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
  });
  const reset = new TypeError('fetch failed', {
    cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
  });
  const table: [string, { error: unknown; safe: boolean; want: boolean }][] = [
    ['refused, unsafe', { error: refused, safe: false, want: true }],
    ['reset, unsafe', { error: reset, safe: false, want: false }],
    ['reset, safe', { error: reset, safe: true, want: true }],
    [
      'opaque browser TypeError, unsafe',
      { error: new TypeError('Failed to fetch'), safe: false, want: false },
    ],
  ];
  it.each(table)('%s', (_n, { error, safe, want }) => expect(retryableNetworkError(error, safe)).toBe(want));
});

describe('waits', () => {
  it.each([
    ['seconds', '3', 3000],
    ['zero', '0', 0],
    ['HTTP date 5 s ahead', new Date(1_000_000 + 5000).toUTCString(), 5000],
    ['HTTP date in the past', new Date(0).toUTCString(), 0],
    ['garbage', 'soon', undefined],
    ['negative', '-1', undefined],
  ])('Retry-After %s', (_n, value, want) => {
    expect(retryAfterMs(new Headers({ 'retry-after': value }), 1_000_000)).toBe(want);
  });

  it.each([
    [1, 0, 500],
    [1, 1, 375],
    [2, 0, 1000],
    [3, 0, 2000],
    [10, 0, 8000],
  ])('backoff for attempt %i with jitter %d is %i ms', (attempt, random, want) => {
    expect(backoffMs(attempt, undefined, random)).toBe(want);
  });

  it('a Retry-After wins over the backoff', () => expect(backoffMs(1, 2500, 0.5)).toBe(2500));
});
