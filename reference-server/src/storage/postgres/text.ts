/**
 * PostgreSQL text cannot hold U+0000, which JSON strings (and so memory contents, namespaces and tool names)
 * may. Plain-text columns store it escaped, reversibly: U+E000 (a private-use character) starts an escape,
 * `U+E000 0` stands for U+0000 and `U+E000 1` for U+E000 itself. Columns holding JSON text need nothing:
 * JSON.stringify writes U+0000 as \u0000. Strings without either character (nearly all) pass unchanged.
 */
const ESC = '\uE000';

/** A string as stored in a plain-text column. */
export function toPg(s: string): string;
export function toPg(s: string | null): string | null;
export function toPg(s: string | null): string | null {
  if (s === null || (!s.includes('\0') && !s.includes(ESC))) return s;
  return s.replaceAll(ESC, `${ESC}1`).replaceAll('\0', `${ESC}0`);
}

/** A plain-text column's value as the string that was stored. */
export function fromPg(s: string): string;
export function fromPg(s: string | null): string | null;
export function fromPg(s: string | null): string | null {
  if (s === null || !s.includes(ESC)) return s;
  return s.replace(/\uE000([01])/g, (_m, d: string) => (d === '0' ? '\0' : ESC));
}
