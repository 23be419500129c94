/**
 * ApiModel -> the generated "API reference" part of sdk-ts/README.md: one section per method with its
 * HTTP route, what it returns, an example built from the spec's own examples, its errors and retry rule.
 * The rest of the README is hand-written; only the text between the two markers is replaced.
 */
import type { ApiModel, OperationModel } from '../model.ts';
import { argName, callPath, errorsByClass, paramsInterface, retryNote } from './naming.ts';
import { jsLiteral } from './ts-syntax.ts';

/** Start and end markers of the generated part. */
export const readmeMarkers = {
  start: '<!-- generated:api-reference:start -->',
  end: '<!-- generated:api-reference:end -->',
} as const;

/** The generated part, markers included. */
export function renderReadmeSection(model: ApiModel, headerLines: readonly string[]): string {
  const out: string[] = [
    readmeMarkers.start,
    `<!-- ${headerLines.join(' · ')} -->`,
    '',
    '## API reference',
    '',
  ];
  const order = [
    ...model.groups.flatMap((g) => g.operations),
    ...model.operations.filter((o) => !o.name.group).map((o) => o.id),
  ];
  // A list, not a table: the repository's formatter re-aligns tables, which would make the check flap.
  for (const id of order) {
    const op = model.operations.find((o) => o.id === id) as OperationModel;
    out.push(`- [\`${callPath(op)}()\`](#${anchor(op)}) — \`${op.method} ${op.path}\` → ${returns(op)}`);
  }
  out.push('');
  for (const id of order) out.push(...section(model.operations.find((o) => o.id === id) as OperationModel));
  out.push(readmeMarkers.end);
  return out.join('\n');
}

/** Replace the generated part of `readme`; throws when the markers are missing. */
export function spliceReadme(readme: string, section: string): string {
  const start = readme.indexOf(readmeMarkers.start);
  const end = readme.indexOf(readmeMarkers.end);
  if (start < 0 || end < start) {
    throw new Error(`sdk-ts/README.md needs the markers ${readmeMarkers.start} and ${readmeMarkers.end}`);
  }
  return readme.slice(0, start) + section + readme.slice(end + readmeMarkers.end.length);
}

function anchor(op: OperationModel): string {
  return callPath(op)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

function returns(op: OperationModel): string {
  if (op.pagination) return `pages of \`${op.pagination.itemType.name}\``;
  return op.success.type ? `\`${op.success.type.name}\`` : 'nothing (204)';
}

function signature(op: OperationModel): string {
  const args = [
    ...op.pathParams.map((p) => argName(p.name)),
    ...(op.body ? ['body'] : []),
    ...(op.queryParams.length > 0 ? [op.queryParams.some((p) => p.required) ? 'params' : 'params?'] : []),
    'options?',
  ];
  return `${callPath(op)}(${args.join(', ')})`;
}

function section(op: OperationModel): string[] {
  const lines = [
    `### ${callPath(op)}`,
    '',
    `<a id="${anchor(op)}"></a>\`${signature(op)}\` — ${op.summary}.`,
    '',
  ];
  if (op.description) lines.push(op.description, '');
  lines.push(`\`${op.method} ${op.path}\` → **${op.success.status}** ${returns(op)}. ${retryNote(op)}`, '');
  if (op.body) lines.push(`- \`body\`: \`${op.body.type.name}\``);
  if (op.queryParams.length > 0) {
    const list = op.queryParams.map((p) => `\`${p.name}\`${p.required ? ' (required)' : ''}`).join(', ');
    lines.push(`- \`params\`: \`${paramsInterface(op)}\` — ${list}`);
  }
  lines.push('- `options`: `{ signal, timeout, maxRetries, headers }`');
  const errors = errorsByClass(op);
  if (errors.length > 0)
    lines.push(`- throws: ${errors.map(([cls, list]) => `\`${cls}\` (${list})`).join('; ')}`);
  lines.push('', '```ts', ...example(op), '```', '');
  return lines;
}

/** Example code from the spec's examples: the first body example, path and query parameter examples. */
function example(op: OperationModel): string[] {
  const args: string[] = op.pathParams.map((p) => jsLiteral(p.example ?? `<${p.name}>`));
  if (op.body) args.push(jsLiteral(op.body.examples[0]?.value ?? {}, '', 60));
  const shown = op.queryParams.filter((p) => p.required);
  if (shown.length === 0 && op.queryParams[0]) shown.push(op.queryParams[0]);
  if (shown.length > 0) args.push(jsLiteral(Object.fromEntries(shown.map((p) => [p.name, p.example]))));
  const call = `${callPath(op)}(${args.join(', ')})`;
  if (op.pagination) {
    const item = op.pagination.itemType.name.charAt(0).toLowerCase() + op.pagination.itemType.name.slice(1);
    return [
      `for await (const ${item} of ${call}) {`,
      `  console.log(${item}.id);`,
      '}',
      '// or one page at a time',
      `const page = await ${call};`,
      `console.log(page.${op.pagination.totalField}, page.${op.pagination.itemsField}.length, page.hasNextPage());`,
    ];
  }
  if (!op.success.type) return [`await ${call};`];
  const v = op.success.type.name.charAt(0).toLowerCase() + op.success.type.name.slice(1);
  return [`const ${v} = await ${call};`];
}
