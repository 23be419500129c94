/**
 * The normative error-code table of SPEC.md (§9.3 "Error codes": `| status | code | condition |`). A code that
 * leaves the table, or changes status, breaks every client that dispatches on it.
 */
import type { Change } from '../types.ts';
import { severityOf } from './severity.ts';

/** The error table of a SPEC.md: where it is, and code → status. */
export interface ErrorTable {
  /** `SPEC.md §9.3`, from the heading the table sits under. */
  location: string;
  codes: Map<string, string>;
}

/** Parse the first table under a heading named "Error codes"; undefined when there is none. */
export function parseErrorTable(markdown: string): ErrorTable | undefined {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => /^#{2,6}\s+(?:[\d.]+\s+)?error codes\s*$/i.test(l));
  if (start < 0) return undefined;
  const number = /^#{2,6}\s+([\d.]*\d)/.exec(lines[start] ?? '')?.[1];
  const codes = new Map<string, string>();
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^#{1,6}\s/.test(line)) break;
    const row = /^\|\s*(\d{3})\s*\|\s*`([A-Za-z0-9_.-]+)`\s*\|/.exec(line);
    if (row) codes.set(row[2]!, row[1]!);
  }
  return { location: number ? `SPEC.md §${number}` : 'SPEC.md error codes', codes };
}

/** Compare the error tables of two SPEC.md texts. */
export function compareErrorTables(oldTable: ErrorTable, newTable: ErrorTable): Change[] {
  const changes: Change[] = [];
  const at = (code: string) => `${newTable.location} error code \`${code}\``;
  for (const [code, status] of oldTable.codes) {
    const now = newTable.codes.get(code);
    if (now === undefined) {
      changes.push({
        kind: 'error-code-removed',
        severity: severityOf('error-code-removed'),
        location: at(code),
        message: `error code \`${code}\` (${status}) removed from the error table`,
        before: code,
      });
    } else if (now !== status) {
      changes.push({
        kind: 'error-code-status-changed',
        severity: severityOf('error-code-status-changed'),
        location: at(code),
        message: `error code \`${code}\` moved from status ${status} to ${now}`,
        before: status,
        after: now,
      });
    }
  }
  for (const [code, status] of newTable.codes) {
    if (!oldTable.codes.has(code)) {
      changes.push({
        kind: 'error-code-added',
        severity: severityOf('error-code-added'),
        location: at(code),
        message: `error code \`${code}\` (${status}) added to the error table`,
        after: code,
      });
    }
  }
  return changes;
}
