/** Word splitting and casing, the only naming knowledge the model carries. */
import { describe, expect, it } from 'vitest';
import { camelCase, pascalCase, singular, snakeCase, words } from '../src/names.ts';

describe('words', () => {
  it.each([
    ['searchMemoriesGet', ['search', 'memories', 'get']],
    ['getMe', ['get', 'me']],
    ['HTTPServerError', ['http', 'server', 'error']],
    ['memory_id', ['memory', 'id']],
    ['x-omp-idempotent', ['x', 'omp', 'idempotent']],
    ['export', ['export']],
  ])('%s', (given, want) => expect(words(given)).toEqual(want));
});

describe('singular', () => {
  it.each([
    ['memories', 'memory'],
    ['keys', 'key'],
    ['boxes', 'box'],
    ['access', 'access'],
    ['me', 'me'],
  ])('%s -> %s', (given, want) => expect(singular(given)).toBe(want));
});

describe('casing', () => {
  it.each([
    [['search', 'get'], { camel: 'searchGet', pascal: 'SearchGet', snake: 'search_get' }],
    [['list'], { camel: 'list', pascal: 'List', snake: 'list' }],
  ])('%j', (given, want) => {
    expect(camelCase(given)).toBe(want.camel);
    expect(pascalCase(given)).toBe(want.pascal);
    expect(snakeCase(given)).toBe(want.snake);
  });
});
