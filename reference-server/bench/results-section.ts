/**
 * bench/RESULTS.md is written whole by run.ts; stall.ts owns one section of it, between two markers. Either may
 * run first: run.ts keeps the section it finds, stall.ts replaces its section or appends it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const START = '<!-- stall.ts: begin -->';
const END = '<!-- stall.ts: end -->';

/** The stall section of a RESULTS.md text, markers included, or ''. */
export function stallSection(text: string): string {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  return a >= 0 && b > a ? text.slice(a, b + END.length) : '';
}

/** Write `body` as the stall section of the file (replacing the previous one, or appended). */
export function writeStallSection(file: string, body: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const section = `${START}\n${body.trim()}\n${END}`;
  const old = stallSection(text);
  writeFileSync(file, old ? text.replace(old, section) : `${text.trimEnd()}\n\n${section}\n`);
}
