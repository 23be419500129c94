/** Validation of reports against their own JSON Schema (conformance/schemas/report.schema.json). */
import { readFileSync } from 'node:fs';
import { createAjv, toViolations } from '@omp-kit/schemas';

/** Absolute path of the report schema. */
export const reportSchemaPath: string = new URL('../../schemas/report.schema.json', import.meta.url).pathname;

let validate: ReturnType<ReturnType<typeof createAjv>['compile']> | undefined;

/** Violations of a report against the schema (empty when valid). */
export function validateReport(report: unknown): string[] {
  if (!validate) {
    const schema = JSON.parse(readFileSync(reportSchemaPath, 'utf8')) as Record<string, unknown>;
    validate = createAjv().compile(schema);
  }
  if (validate(report)) return [];
  return toViolations(validate.errors).map((v) => `${v.path} ${v.message}`);
}
