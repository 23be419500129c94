/**
 * Filter tokens. Every memory also has a row in a small second full-text table whose text is one token per
 * filterable attribute: principal, tool, type, namespace and each tag. Counting the memories that match any
 * combination of list filters is then an intersection of compressed posting lists inside SQLite, which stays
 * fast at 100k memories where a table scan does not. Values are hex-encoded so each is exactly one ASCII token.
 */

const hex = (value: string): string => Buffer.from(value, 'utf8').toString('hex');

/** The attributes a memory is filtered by. */
export interface FilterAttributes {
  principal: string;
  tool: string;
  type: string;
  namespace: string | null;
  tags: readonly string[];
}

/** Filters of one list request, including the visibility restrictions of the caller's key. */
export interface FilterQuery {
  principal: string;
  tool?: string | undefined;
  type?: string | undefined;
  namespace?: string | undefined;
  tags?: readonly string[] | undefined;
}

const token = {
  principal: (v: string) => `p${hex(v)}`,
  tool: (v: string) => `o${hex(v)}`,
  type: (v: string) => `y${v}`,
  namespace: (v: string) => `n${hex(v)}`,
  tag: (v: string) => `g${hex(v)}`,
};

/** The indexed text of a memory's filter row. */
export function filterText(a: FilterAttributes): string {
  const out = [token.principal(a.principal), token.tool(a.tool), token.type(a.type)];
  if (a.namespace !== null) out.push(token.namespace(a.namespace));
  for (const tag of a.tags) out.push(token.tag(tag));
  return out.join(' ');
}

/**
 * The FTS5 expression selecting the rows that satisfy every filter. `principalIsEveryone` (the store holds
 * memories of this principal only) drops the principal term, whose posting list is the whole table; at least
 * one term must remain, so it is kept when there is no other filter.
 */
export function filterMatch(f: FilterQuery, principalIsEveryone = false): string {
  const out: string[] = [];
  if (f.tool !== undefined) out.push(token.tool(f.tool));
  if (f.type !== undefined) out.push(token.type(f.type));
  if (f.namespace !== undefined) out.push(token.namespace(f.namespace));
  for (const tag of f.tags ?? []) out.push(token.tag(tag));
  if (!principalIsEveryone || out.length === 0) out.unshift(token.principal(f.principal));
  return out.join(' AND ');
}
