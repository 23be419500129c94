/** Small pieces of TypeScript/JavaScript syntax shared by the TypeScript emitters. */

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A single-quoted string literal. */
export function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** An object key: bare when it is an identifier, quoted otherwise. */
export function key(name: string): string {
  return identifier.test(name) ? name : quote(name);
}

/**
 * A JSON value as a JavaScript literal in the house style (single quotes, bare keys, trailing commas on
 * wrapped lines); short values stay on one line.
 */
export function jsLiteral(value: unknown, indent = '', width = 100): string {
  const flat = oneLine(value);
  if (flat.length + indent.length <= width || value === null || typeof value !== 'object') return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => `${inner}${jsLiteral(v, inner, width)},\n`).join('')}${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  return `{\n${entries.map(([k, v]) => `${inner}${key(k)}: ${jsLiteral(v, inner, width)},\n`).join('')}${indent}}`;
}

function oneLine(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, v]) => `${key(k)}: ${oneLine(v)}`).join(', ')} }`;
}

/** A JSDoc block from lines (blank lines kept, `*\/` escaped); '' when there are none. */
export function jsdoc(lines: readonly string[], indent = ''): string {
  const clean = lines.flatMap((l) => l.split('\n')).map((l) => l.replace(/\*\//g, '*\\/').trimEnd());
  while (clean.length > 0 && clean.at(-1) === '') clean.pop();
  if (clean.length === 0) return '';
  if (clean.length === 1) return `${indent}/** ${clean[0]} */\n`;
  return `${indent}/**\n${clean.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)).join('\n')}\n${indent} */\n`;
}
