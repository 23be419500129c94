/**
 * Parses SPEC.md into the requirement catalogue and enforces the rules that keep requirement IDs stable:
 * one requirement per line, well-formed unique IDs, BCP 14 keywords only in requirement lines, IDs never reused.
 * Pure functions over strings: the CLIs (generate.ts, spec-check.ts) do the file I/O.
 */
import { createHash } from 'node:crypto';

/** RFC 2119 level of a requirement, as declared in its marker. */
export type Level = 'MUST' | 'MUST NOT' | 'SHOULD' | 'SHOULD NOT' | 'MAY';

/** The compliance profile a requirement belongs to (SPEC.md: levels are capability profiles). */
export type Compliance = 'Core' | 'Search' | 'Full' | 'MCP' | 'Control' | 'Client';

/** One catalogue entry, parsed from one requirement line of SPEC.md. */
export interface Requirement {
  /** Stable ID, e.g. `OMP-CRUD-003`; never reused once retired. */
  id: string;
  /** Middle part of the ID, e.g. `CRUD`. */
  area: string;
  level: Level;
  compliance: Compliance;
  /** False when the marker says `not black-box testable`. */
  testable: boolean;
  /** Text of the nearest preceding heading, e.g. `5.1 Create a memory`. */
  section: string;
  /** GitHub-style anchor of that heading, e.g. `51-create-a-memory`. */
  anchor: string;
  /** The requirement sentence as written (Markdown). */
  text: string;
}

/** A Markdown ATX heading of SPEC.md. */
export interface Heading {
  depth: number;
  text: string;
  anchor: string;
  line: number;
}

/** One rule violation, with the 1-based line it was found on (0 when not tied to a line). */
export interface SpecIssue {
  file: string;
  line: number;
  rule: string;
  message: string;
}

/** What `parseSpec` returns: the catalogue entries, the headings, the version line and every violation. */
export interface ParsedSpec {
  requirements: Requirement[];
  headings: Heading[];
  /** MAJOR.MINOR from the `Version:` line (or the title), when found. */
  version: string | undefined;
  issues: SpecIssue[];
  /** Every ID-shaped token anywhere in the document, with its line (requirement definitions included). */
  mentions: Array<{ id: string; line: number }>;
}

/** An ID withdrawn from the spec; listed in spec/retired-requirements.json so it is never reused. */
export interface RetiredRequirement {
  id: string;
  retired_in: string;
  reason: string;
  /** The IDs that carry the requirement on, when it was replaced rather than dropped. */
  replaced_by?: string[];
}

/** The committed catalogue file spec/requirements.json. */
export interface Catalogue {
  spec_version: string;
  spec_hash: string;
  generated_by: string;
  requirement_set_hash: string;
  requirements: Requirement[];
}

export const levels: readonly Level[] = ['MUST', 'MUST NOT', 'SHOULD', 'SHOULD NOT', 'MAY'];
export const compliances: readonly Compliance[] = ['Core', 'Search', 'Full', 'MCP', 'Control', 'Client'];

/** Well-formed requirement ID. */
export const idPattern = /^OMP-[A-Z]+-\d{3}$/;
const idToken = /\bOMP-[A-Z]+-\d{3}\b/g;

/** BCP 14 keywords, longest first so `MUST NOT` is one token, not `MUST` + `NOT`. */
const bcp14 =
  /\b(MUST NOT|SHALL NOT|SHOULD NOT|NOT RECOMMENDED|MUST|SHALL|SHOULD|RECOMMENDED|REQUIRED|MAY|OPTIONAL)\b/g;

/** Force of each keyword (RFC 2119 sections 1-5): absolute, recommended, optional. */
const strength: Record<string, number> = {
  MUST: 1,
  'MUST NOT': 1,
  REQUIRED: 1,
  SHALL: 1,
  'SHALL NOT': 1,
  SHOULD: 2,
  'SHOULD NOT': 2,
  RECOMMENDED: 2,
  'NOT RECOMMENDED': 2,
  MAY: 3,
  OPTIONAL: 3,
};

const candidateLine = /^\s*[-*+]\s+\*\*\s*(OMP[^*]*?)\s*\*\*/i;
const requirementLine =
  /^- \*\*(OMP-[A-Z]+-\d{3})\*\* \[(MUST NOT|MUST|SHOULD NOT|SHOULD|MAY) · (Core|Search|Full|MCP|Control|Client)( · not black-box testable)?\] (\S.*)$/;

/**
 * GitHub's heading anchor: lower-case, drop everything but letters, marks, digits, `_`, space and `-`,
 * spaces to `-` (github-slugger). `seen` de-duplicates like GitHub (`x`, `x-1`, `x-2`).
 */
export function slugify(text: string, seen?: Map<string, number>): string {
  const base = plainText(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
  if (!seen) return base;
  let slug = base;
  let n = seen.get(base) ?? 0;
  while (seen.has(slug)) slug = `${base}-${++n}`;
  seen.set(base, n);
  seen.set(slug, 0);
  return slug;
}

/** Heading text as GitHub renders it: inline code, emphasis and link syntax removed. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*|__/g, '')
    .replace(/(^|[\s(])[*_](\S(?:.*?\S)?)[*_](?=[\s).,:;!?]|$)/g, '$1$2')
    .trim();
}

/** BCP 14 keywords in a line, with inline code spans blanked out (code is not prose). */
function keywordsIn(text: string): string[] {
  return [...text.replace(/`[^`]*`/g, '``').matchAll(bcp14)].map((m) => m[1] as string);
}

/** Whether `sentence` uses `level` itself (`MUST` does not count inside `MUST NOT`). */
function usesLevel(sentence: string, level: Level): boolean {
  return keywordsIn(sentence).includes(level);
}

/** Parse SPEC.md: headings, requirement lines and every rule violation that needs only the document itself. */
export function parseSpec(markdown: string, file = 'spec/SPEC.md'): ParsedSpec {
  const lines = markdown.split(/\r?\n/);
  const requirements: Requirement[] = [];
  const headings: Heading[] = [];
  const issues: SpecIssue[] = [];
  const mentions: ParsedSpec['mentions'] = [];
  const firstLine = new Map<string, number>();
  const slugs = new Map<string, number>();
  const issue = (line: number, rule: string, message: string) => issues.push({ file, line, rule, message });

  let fence: { char: string; length: number } | undefined;
  let inParagraph = false;
  let inBoilerplate = false;
  let boilerplateLine = 0;
  let current: Heading | undefined;
  let previousWasRequirement = false;
  let titleVersion: string | undefined;
  let lineVersion: string | undefined;

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const lineNo = i + 1;
    for (const m of raw.matchAll(idToken)) mentions.push({ id: m[0], line: lineNo });

    // Fenced code blocks are exempt from every rule.
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(raw);
    if (fence) {
      if (fenceMatch && fenceMatch[1]?.[0] === fence.char && (fenceMatch[1]?.length ?? 0) >= fence.length) {
        if ((fenceMatch[2] ?? '').trim() === '') fence = undefined;
      }
      continue;
    }
    if (fenceMatch?.[1]) {
      fence = { char: fenceMatch[1][0] as string, length: fenceMatch[1].length };
      inParagraph = false;
      inBoilerplate = false;
      previousWasRequirement = false;
      continue;
    }

    if (raw.trim() === '') {
      inParagraph = false;
      inBoilerplate = false;
      previousWasRequirement = false;
      continue;
    }

    // The single BCP 14 boilerplate paragraph may use the keywords freely.
    if (!inParagraph && /^\s*The key words\b/.test(raw)) {
      if (boilerplateLine) {
        issue(
          lineNo,
          'boilerplate-duplicate',
          `a second BCP 14 boilerplate paragraph (the first is on line ${boilerplateLine}); keep exactly one`,
        );
      } else {
        boilerplateLine = lineNo;
        inBoilerplate = true;
      }
    }
    inParagraph = true;

    const heading = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/.exec(raw);
    if (heading) {
      const text = plainText(heading[2] ?? '');
      current = { depth: heading[1]?.length ?? 1, text, anchor: slugify(text, slugs), line: lineNo };
      headings.push(current);
      if (current.depth === 1) titleVersion ??= /\b(\d+\.\d+)\b/.exec(text)?.[1];
      inParagraph = false;
    }
    // `Version: 0.3`, `**Version:** 0.3` or a metadata table row `| Version | 0.3 (draft) |`.
    const versionLine =
      /^\s*\|?\s*(?:\*\*|__)?Version(?:\*\*|__)?\s*[:|]?\s*(?:\*\*|__)?\s*:?\s*`?(\d+\.\d+)\b/i.exec(raw);
    if (versionLine) lineVersion ??= versionLine[1];

    const candidate = candidateLine.exec(raw);
    if (candidate) {
      previousWasRequirement = true;
      inParagraph = false; // each requirement line stands alone
      const id = candidate[1] as string;
      if (!idPattern.test(id)) {
        issue(
          lineNo,
          'id-format',
          `requirement ID "${id}" is malformed: want OMP-<AREA>-<3 digits>, e.g. OMP-CRUD-003`,
        );
        continue;
      }
      const m = requirementLine.exec(raw);
      if (!m) {
        issue(
          lineNo,
          'line-format',
          `requirement ${id} does not follow "- **${id}** [LEVEL · Compliance] Sentence." ` +
            `(LEVEL: ${levels.join(', ')}; Compliance: ${compliances.join(', ')}; ` +
            `optional " · not black-box testable"; " · " is a middle dot between spaces)`,
        );
        continue;
      }
      const level = m[2] as Level;
      const text = (m[5] as string).trim();
      const seenAt = firstLine.get(id);
      if (seenAt) {
        issue(lineNo, 'id-unique', `requirement ID ${id} is already used on line ${seenAt}`);
        continue;
      }
      firstLine.set(id, lineNo);
      if (!usesLevel(text, level)) {
        issue(lineNo, 'keyword-missing', `${id} is declared ${level} but its sentence does not say ${level}`);
      }
      // MUST with MUST NOT is one absolute requirement; MUST with SHOULD or MAY would be two of different force.
      const others = [...new Set(keywordsIn(text).filter((k) => strength[k] !== strength[level]))];
      if (others.length > 0) {
        issue(
          lineNo,
          'keyword-mixed',
          `${id} is declared ${level} but its sentence also says ${others.join(', ')}; ` +
            'write one requirement per line, each with its own keyword',
        );
      }
      if (!current) issue(lineNo, 'no-section', `${id} comes before any heading`);
      requirements.push({
        id,
        area: id.split('-')[1] as string,
        level,
        compliance: m[3] as Compliance,
        testable: m[4] === undefined,
        section: current?.text ?? '',
        anchor: current?.anchor ?? '',
        text,
      });
      continue;
    }

    if (inBoilerplate) continue;
    const found = keywordsIn(raw);
    if (found.length > 0) {
      const continuation = previousWasRequirement && /^\s+\S/.test(raw);
      issue(
        lineNo,
        'keyword-outside',
        `BCP 14 keyword ${[...new Set(found)].join(', ')} outside a requirement line` +
          (continuation
            ? ' (a requirement must fit on one line)'
            : '; make it a "- **OMP-…** [LEVEL · Compliance]" line or write it in lower case'),
      );
    }
    if (!/^\s+\S/.test(raw)) previousWasRequirement = false;
  }
  if (fence) issue(lines.length, 'fence-unclosed', 'a fenced code block is never closed');

  // Every ID mentioned in prose must be defined somewhere in the document.
  const defined = new Set(requirements.map((r) => r.id));
  for (const { id, line } of mentions) {
    if (!defined.has(id) && !issues.some((x) => x.line === line && x.message.includes(id))) {
      issue(line, 'reference-unknown', `${id} is mentioned but no requirement line defines it`);
    }
  }
  return { requirements, headings, version: lineVersion ?? titleVersion, issues, mentions };
}

/**
 * Never-reuse rules: retired entries are well-formed, no retired ID is defined again in SPEC.md (prose may cite
 * it, say in a changes section), every ID of the committed catalogue that is gone from SPEC.md is listed as
 * retired, every `replaced_by` ID is defined, and no area has an unexplained gap in its numbering.
 */
export function checkRetired(
  parsed: ParsedSpec,
  retired: unknown,
  committedIds: readonly string[],
  files: { spec: string; retired: string } = {
    spec: 'spec/SPEC.md',
    retired: 'spec/retired-requirements.json',
  },
): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const retiredIds = new Set<string>();
  const replacements: Array<{ id: string; by: string }> = [];
  if (!Array.isArray(retired)) {
    issues.push({ file: files.retired, line: 0, rule: 'retired-format', message: 'must be a JSON array' });
  } else {
    retired.forEach((entry: unknown, index) => {
      const e = entry as Partial<RetiredRequirement> | null;
      const keys = e && typeof e === 'object' ? Object.keys(e).sort().join(',') : '';
      const replacedOk =
        e?.replaced_by === undefined ||
        (Array.isArray(e.replaced_by) &&
          e.replaced_by.every((r) => typeof r === 'string' && idPattern.test(r)));
      const ok =
        (keys === 'id,reason,retired_in' || keys === 'id,reason,replaced_by,retired_in') &&
        replacedOk &&
        typeof e?.id === 'string' &&
        idPattern.test(e.id) &&
        typeof e.retired_in === 'string' &&
        /^\d+\.\d+$/.test(e.retired_in) &&
        typeof e.reason === 'string' &&
        e.reason.trim() !== '';
      if (!ok) {
        issues.push({
          file: files.retired,
          line: 0,
          rule: 'retired-format',
          message: `entry ${index} must be {"id": "OMP-AREA-NNN", "retired_in": "MAJOR.MINOR", "reason": "…", "replaced_by"?: ["OMP-…"]}`,
        });
        return;
      }
      const id = e?.id as string;
      if (retiredIds.has(id)) {
        issues.push({
          file: files.retired,
          line: 0,
          rule: 'retired-format',
          message: `${id} is listed twice`,
        });
      }
      retiredIds.add(id);
      for (const r of e?.replaced_by ?? []) replacements.push({ id, by: r });
    });
  }
  const present = new Set(parsed.requirements.map((r) => r.id));
  for (const { id, by } of replacements) {
    if (!present.has(by)) {
      issues.push({
        file: files.retired,
        line: 0,
        rule: 'retired-format',
        message: `${id} is replaced_by ${by}, which SPEC.md does not define`,
      });
    }
  }
  for (const r of parsed.requirements) {
    if (retiredIds.has(r.id)) {
      const line = parsed.mentions.find((m) => m.id === r.id)?.line ?? 0;
      issues.push({
        file: files.spec,
        line,
        rule: 'retired-reused',
        message: `${r.id} is retired (spec/retired-requirements.json) and must never be defined in SPEC.md again; use a new ID`,
      });
    }
  }
  issues.push(...idGaps(parsed.requirements, retiredIds, files.retired));
  for (const id of committedIds) {
    if (!present.has(id) && !retiredIds.has(id)) {
      issues.push({
        file: files.spec,
        line: 0,
        rule: 'retired-missing',
        message:
          `${id} is in spec/requirements.json but no longer in SPEC.md: restore it, or retire it by adding ` +
          `{"id": "${id}", "retired_in": "<version>", "reason": "…"} to spec/retired-requirements.json`,
      });
    }
  }
  return issues;
}

/**
 * `id-gap`: within an area, every number below the highest defined one is either defined or retired, so a reader
 * of the catalogue never wonders whether an ID was lost.
 */
export function idGaps(
  requirements: readonly Requirement[],
  retiredIds: ReadonlySet<string>,
  file: string,
): SpecIssue[] {
  const byArea = new Map<string, Set<number>>();
  for (const r of requirements) {
    if (retiredIds.has(r.id)) continue; // reported as retired-reused already
    const n = Number(r.id.slice(-3));
    const set = byArea.get(r.area) ?? new Set<number>();
    set.add(n);
    byArea.set(r.area, set);
  }
  const issues: SpecIssue[] = [];
  for (const [area, numbers] of byArea) {
    const max = Math.max(...numbers);
    for (let n = 1; n < max; n++) {
      const id = `OMP-${area}-${String(n).padStart(3, '0')}`;
      if (!numbers.has(n) && !retiredIds.has(id)) {
        issues.push({
          file,
          line: 0,
          rule: 'id-gap',
          message: `${id} is neither defined in SPEC.md nor listed as retired; list it, with the reason it is unused`,
        });
      }
    }
  }
  return issues;
}

/**
 * sha256 (hex) of the sorted `id level compliance testable` lines: changes exactly when a requirement is added,
 * removed, re-levelled or re-profiled, so conformance reports can say which requirement set they checked.
 */
export function requirementSetHash(requirements: readonly Requirement[]): string {
  const lines = requirements
    .map((r) => `${r.id}\t${r.level}\t${r.compliance}\t${r.testable ? 'testable' : 'not-testable'}`)
    .sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** The catalogue object written to spec/requirements.json (requirements in document order). */
export function buildCatalogue(parsed: ParsedSpec, specHash: string, generatedBy: string): Catalogue {
  return {
    spec_version: parsed.version ?? '',
    spec_hash: specHash,
    generated_by: generatedBy,
    requirement_set_hash: requirementSetHash(parsed.requirements),
    requirements: parsed.requirements,
  };
}

/** One issue as `file:line: [rule] message`. */
export function formatIssue(i: SpecIssue): string {
  return `${i.file}${i.line ? `:${i.line}` : ''}: [${i.rule}] ${i.message}`;
}
