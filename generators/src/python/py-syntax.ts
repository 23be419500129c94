/** Python spelling: identifiers, literals, docstrings. Pure string helpers for the Python emitter. */
import { pascalCase, snakeCase } from '../names.ts';

/** Python's hard keywords (and the soft ones that are awkward as names); an identifier equal to one gets a `_` suffix. */
const keywords = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);

/** True when `name` can be written as a Python identifier as it is. */
export function isPyIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !keywords.has(name);
}

/** A snake_case identifier from words, `_`-suffixed when it is a keyword: [import] -> import_. */
export function pyName(ws: readonly string[]): string {
  const n = snakeCase(ws);
  return keywords.has(n) ? `${n}_` : n;
}

/** A PascalCase class name from words. */
export function pyClass(ws: readonly string[]): string {
  return pascalCase(ws);
}

/** A Python string literal (double-quoted, JSON escapes are valid Python escapes). */
export function pyStr(value: string): string {
  return JSON.stringify(value);
}

/**
 * A Python literal for a JSON scalar, strings single-quoted: type expressions are written inside
 * double-quoted annotations (`"Literal['a', 'b']"`).
 */
export function pyLiteral(value: unknown): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    return `'${JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
  }
  throw new Error(`no Python literal for ${JSON.stringify(value)}`);
}

/**
 * A docstring body indented by `indent`: wrapped at `width`, triple quotes escaped, paragraphs kept.
 * Returns '' for empty text.
 */
export function docstring(text: string, indent: string, width = 110): string {
  const clean = text.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"').trim();
  if (!clean) return '';
  const lines: string[] = [];
  for (const para of clean.split(/\n\s*\n/)) {
    if (lines.length > 0) lines.push('');
    // Each line keeps its own indentation (an `Args:` entry); its wrapped continuation gets 4 more spaces.
    for (const raw of para.split('\n')) {
      const lead = /^\s*/.exec(raw)?.[0] ?? '';
      const words = raw.trim().split(/\s+/).filter(Boolean);
      let line = '';
      let pad = lead;
      for (const w of words) {
        if (line && indent.length + pad.length + line.length + 1 + w.length > width) {
          lines.push(pad + line);
          line = w;
          pad = `${lead}    `;
        } else {
          line = line ? `${line} ${w}` : w;
        }
      }
      if (line) lines.push(pad + line);
    }
  }
  if (lines.length === 1 && indent.length + (lines[0] as string).length + 6 <= width) {
    return `${indent}"""${lines[0]}"""\n`;
  }
  return `${indent}"""${lines.map((l, i) => (i === 0 ? l : l ? indent + l : '')).join('\n')}\n${indent}"""\n`;
}
