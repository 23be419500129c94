/** Every failure becomes a valid OMP error envelope (OMP-MCP-017), with the code of its HTTP status. */
import { validatorFor } from '@omp-kit/schemas';
import { ConnectionError, OmpError, ServerError, TimeoutError, ValidationError } from 'omp-sdk';
import { describe, expect, it } from 'vitest';
import { ToolFailure, toEnvelope } from '../src/errors.ts';

describe('toEnvelope', () => {
  const cases: [string, { given: unknown; want: object }][] = [
    [
      'a server envelope passes through',
      {
        given: new OmpError('No memory with id', {
          status: 404,
          code: 'memory_not_found',
          details: { id: 'x' },
          requestId: 'req_1',
        }),
        want: {
          error: 'memory_not_found',
          message: 'No memory with id',
          details: { id: 'x' },
          request_id: 'req_1',
        },
      },
    ],
    [
      'a bare 502 gets the code of its status',
      { given: new ServerError('HTTP 502', { status: 502, code: 'http_502' }), want: { error: 'ai_error' } },
    ],
    [
      'a bare 403',
      { given: new OmpError('HTTP 403', { status: 403, code: 'http_403' }), want: { error: 'forbidden' } },
    ],
    [
      'an unknown status keeps its code',
      { given: new OmpError('HTTP 418', { status: 418, code: 'http_418' }), want: { error: 'http_418' } },
    ],
    [
      'no connection',
      {
        given: new ConnectionError('ECONNREFUSED', { code: 'connection_error' }),
        want: { error: 'unavailable', message: 'Cannot reach the OMP server: ECONNREFUSED' },
      },
    ],
    [
      'a timeout',
      { given: new TimeoutError('after 10 ms', { code: 'timeout' }), want: { error: 'unavailable' } },
    ],
    [
      'a validation_error without violations is completed',
      {
        given: new ValidationError('bad', { status: 422, code: 'validation_error' }),
        want: { error: 'validation_error', details: { errors: [{ path: '/', message: 'bad' }] } },
      },
    ],
    [
      'a ToolFailure',
      {
        given: new ToolFailure({ error: 'forbidden', message: 'no', details: {} }),
        want: { error: 'forbidden', message: 'no' },
      },
    ],
    [
      'a bug says nothing of itself',
      {
        given: new TypeError('x is undefined at /work/secret.ts:1'),
        want: { error: 'internal_error', message: 'The MCP tool failed unexpectedly' },
      },
    ],
  ];
  for (const [name, { given, want }] of cases) {
    it(name, () => {
      const env = toEnvelope(given);
      expect(env).toMatchObject(want);
      expect(validatorFor('error')(env)).toBe(true);
    });
  }
});
