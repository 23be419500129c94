/**
 * The header every generated file starts with, so nobody edits one by hand and staleness is visible. The hash
 * is the source hash (spec/openapi.yaml + schemas/), so rewording SPEC.md does not rewrite generated code.
 */

/** What a generated file's header states. */
export interface HeaderInfo {
  /** Repository-relative path of the generator that wrote the file. */
  generator: string;
  /** `computeSourceHash` of the sources the file was generated from. */
  sourceHash: string;
  /** Line-comment marker of the target language: `//` (default) or `#`. */
  comment?: string;
}

/** Header lines: generator, source hash, "Generated file — do not edit.", "Regenerate: npm run generate". */
export function generatedHeader({ generator, sourceHash, comment = '//' }: HeaderInfo): string {
  return [
    `${comment} Generated file — do not edit.`,
    `${comment} Generator: ${generator}`,
    `${comment} Source hash: ${sourceHash} (sha256 of ${sourceHashCovers})`,
    `${comment} Regenerate: npm run generate`,
    '',
  ].join('\n');
}

/** What the source hash covers, as the headers say it. */
export const sourceHashCovers = 'spec/openapi.yaml, schemas/*.schema.json';
