/** The header every generated file starts with, so nobody edits one by hand and staleness is visible. */

/** What a generated file's header states. */
export interface HeaderInfo {
  /** Repository-relative path of the generator that wrote the file. */
  generator: string;
  /** `computeSpecHash` of the sources the file was generated from. */
  specHash: string;
  /** Line-comment marker of the target language: `//` (default) or `#`. */
  comment?: string;
}

/** Header lines: generator, spec hash, "Generated file — do not edit.", "Regenerate: npm run generate". */
export function generatedHeader({ generator, specHash, comment = '//' }: HeaderInfo): string {
  return [
    `${comment} Generated file — do not edit.`,
    `${comment} Generator: ${generator}`,
    `${comment} Spec hash: ${specHash} (sha256 of spec/SPEC.md, spec/openapi.yaml, schemas/*.schema.json)`,
    `${comment} Regenerate: npm run generate`,
    '',
  ].join('\n');
}
