/** ApiModel -> sdk-python/src/omp_sdk/_generated/models.py: one TypedDict or alias per schema type. */
import type { ApiModel } from '../model.ts';
import { docstring, pyStr } from './py-syntax.ts';
import { classSyntaxFits, type PyDecl, type PyTypes } from './py-types.ts';

/** The names models.py defines, in `__all__` order. */
export function modelNames(types: PyTypes): string[] {
  return types.declarations().map((d) => d.name);
}

/** Render models.py. `header` is the generated-file header (with `#` comments). */
export function renderModels(model: ApiModel, types: PyTypes, header: string): string {
  const decls = types.declarations();
  const body = decls.map(renderDecl).join('\n\n\n');
  const used = ['Any', 'Literal', 'NoReturn', 'NotRequired', 'TypeAlias', 'TypedDict'].filter((n) =>
    new RegExp(`\\b${n}\\b`).test(body),
  );
  return [
    header.trimEnd(),
    '"""Typed shapes of the OMP API, one per JSON Schema type (schemas/*.schema.json).',
    '',
    'TypedDicts, so a response is the plain dict the server sent (members a newer server adds are kept, nothing',
    'is copied or validated at run time) and a request may be written as a dict literal that mypy checks.',
    '`NotRequired[X]` means "may be absent"; `X | None` means "may be null": the two are never merged.',
    `Spec: ${model.title} ${model.version}.`,
    '"""',
    '',
    `from typing import ${used.join(', ')}`,
    '',
    '__all__ = [',
    ...decls.map((d) => `    ${pyStr(d.name)},`),
    ']',
    '',
    '',
    body,
    '',
  ].join('\n');
}

// Annotations are quoted: nothing is evaluated at import time (fast, and declaration order is free), while
// `NotRequired` stays outside the quotes so that `__required_keys__` is right at run time too.
function renderDecl(d: PyDecl): string {
  if (d.kind === 'alias') {
    return `${d.name}: TypeAlias = ${pyStr(d.type)}\n${docstring(d.description, '')}`.trimEnd();
  }
  const annotation = (f: { type: string; required: boolean }) =>
    f.required ? pyStr(f.type) : `NotRequired[${pyStr(f.type)}]`;
  if (!classSyntaxFits(d.fields)) {
    const members = d.fields.map((f) => `        ${pyStr(f.name)}: ${annotation(f)},`).join('\n');
    const doc = docstring(d.description, '');
    return `${d.name} = TypedDict(\n    ${pyStr(d.name)},\n    {\n${members}\n    },\n)\n${doc}`.trimEnd();
  }
  const lines = [`class ${d.name}(TypedDict):`];
  const doc = docstring(d.description, '    ');
  if (doc) lines.push(doc.trimEnd(), '');
  if (d.fields.length === 0) lines.push('    pass');
  for (const f of d.fields) {
    lines.push(`    ${f.name}: ${annotation(f)}`);
    const fdoc = docstring(f.description, '    ');
    if (fdoc) lines.push(fdoc.trimEnd());
  }
  return lines.join('\n');
}
