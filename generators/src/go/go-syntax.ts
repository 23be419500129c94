/**
 * Go source text as gofmt writes it: identifiers with Go's initialisms, string literals, doc comments
 * wrapped so gofmt leaves them alone, and struct fields / const specs aligned the way gofmt's tabwriter does.
 */
import { singular, words } from '../names.ts';

/** Words written upper-case in Go identifiers (Effective Go, "initialisms"), plus the protocol's own. */
const initialisms = new Set([
  'ai',
  'api',
  'http',
  'https',
  'id',
  'json',
  'mcp',
  'ok',
  'omp',
  'uri',
  'url',
  'uuid',
  'tls',
  'ttl',
]);

/** One word as it appears in an exported Go identifier: id -> ID, ids -> IDs, memory -> Memory. */
function goWord(w: string): string {
  if (initialisms.has(w)) return w.toUpperCase();
  if (w.endsWith('s') && initialisms.has(w.slice(0, -1))) return `${w.slice(0, -1).toUpperCase()}s`;
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** Exported Go identifier of lower-case words: [session, id] -> SessionID, [ai, result] -> AIResult. */
export function goName(ws: readonly string[]): string {
  const name = ws.map(goWord).join('');
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) throw new Error(`cannot make a Go identifier of [${ws.join(', ')}]`);
  return name;
}

/** Exported Go identifier of any name (a schema title, a JSON member, an operationId). */
export function goNameOf(text: string): string {
  return goName(words(text));
}

/** Exported Go identifier of a JSON member naming a list, singular: errors -> Error, levels -> Level. */
export function goItemNameOf(text: string): string {
  const ws = words(text);
  const last = ws.at(-1);
  return goName(last === undefined ? ws : [...ws.slice(0, -1), singular(last)]);
}

/** Go keywords and predeclared names a generated parameter name must not shadow. */
const reserved = new Set([
  'break',
  'case',
  'chan',
  'const',
  'continue',
  'default',
  'defer',
  'else',
  'fallthrough',
  'for',
  'func',
  'go',
  'goto',
  'if',
  'import',
  'interface',
  'map',
  'package',
  'range',
  'return',
  'select',
  'struct',
  'switch',
  'type',
  'var',
  'ctx',
  'c',
  'body',
  'params',
  'err',
  'any',
  'string',
  'int',
  'error',
  'len',
  'url',
]);

/** Unexported Go identifier for a parameter: id -> id, memory_id -> memoryID; reserved names get a suffix. */
export function goLocalName(text: string): string {
  const exported = goNameOf(text);
  const ws = words(text);
  const first = ws[0] ?? '';
  const local = initialisms.has(first)
    ? first + exported.slice(first.length)
    : exported.charAt(0).toLowerCase() + exported.slice(1);
  return reserved.has(local) ? `${local}Arg` : local;
}

/** A Go interpreted string literal. */
export function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A Go raw string literal when possible (struct tags), else an interpreted one. */
export function goRawString(s: string): string {
  return s.includes('`') ? goString(s) : `\`${s}\``;
}

/**
 * `// ` comment lines of text wrapped at `width` columns (after `indent`). Paragraphs (blank lines) are
 * kept. A continuation line never starts with what gofmt would read as a list item or heading.
 */
export function goDoc(text: string, indent = '', width = 110): string {
  const out: string[] = [];
  const paragraphs = text
    .replace(/\r/g, '')
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  const room = Math.max(40, width - indent.length - 3);
  paragraphs.forEach((p, i) => {
    if (i > 0) out.push('');
    let line = '';
    for (const word of p.split(' ')) {
      if (line && line.length + 1 + word.length > room && !listLike(word)) {
        out.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    if (line) out.push(line);
  });
  return out.map((l) => (l ? `${indent}// ${l}` : `${indent}//`)).join('\n');
}

/** Whether a word starting a comment line would make gofmt's doc-comment reformatter see a list or heading. */
function listLike(word: string): boolean {
  return /^([-+*•#]|\d+[.)])$/.test(word) || /^\d+[.)]$/.test(word);
}

/** One aligned row: the cells gofmt's tabwriter aligns, and the rest of the line. */
export interface Row {
  cells: string[];
  rest: string;
}

/**
 * Lines as gofmt aligns a struct's fields or a const block: consecutive rows form a block (a comment or
 * blank line ends it), each cell padded to the block's widest plus one space. `null` entries are lines
 * written as they are (comments, blank lines) and end the block.
 */
export function alignRows(lines: readonly (Row | string)[], indent: string): string[] {
  const out: string[] = [];
  let block: Row[] = [];
  const flush = () => {
    const widths: number[] = [];
    for (const r of block) {
      r.cells.forEach((c, i) => {
        widths[i] = Math.max(widths[i] ?? 0, width(c));
      });
    }
    for (const r of block) {
      const cells = r.cells.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - width(c) + 1)).join('');
      out.push(`${indent}${cells}${r.rest}`.trimEnd());
    }
    block = [];
  };
  for (const l of lines) {
    if (typeof l === 'string') {
      flush();
      out.push(l ? `${indent}${l}` : '');
    } else {
      block.push(l);
    }
  }
  flush();
  return out;
}

/** Display width of a cell as gofmt counts it (runes). */
function width(s: string): number {
  return [...s].length;
}
