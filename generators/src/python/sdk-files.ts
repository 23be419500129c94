/**
 * The generated files of the Python SDK (sdk-python/src/omp_sdk/_generated/), rendered in memory from the
 * language-neutral model. `npm run generate` writes them and `npm run generate:check` compares them
 * (generators/src/artifacts.ts lists this producer). Deterministic: same spec, same bytes.
 */
import { generatedHeader } from '../header.ts';
import type { ApiModel } from '../model.ts';
import type { RenderedFile } from '../typescript/sdk-files.ts';
import { renderClient } from './model-to-client.ts';
import { modelNames, renderModels } from './model-to-models.ts';
import { pyStr } from './py-syntax.ts';
import { PyTypes } from './py-types.ts';

/** Generator path named in the headers of the Python SDK's generated files. */
export const pythonGeneratorPath = 'generators/src/python/sdk-files.ts';

/** Repository-relative paths of the generated Python files. */
export const pythonSdkPaths = {
  init: 'sdk-python/src/omp_sdk/_generated/__init__.py',
  models: 'sdk-python/src/omp_sdk/_generated/models.py',
  client: 'sdk-python/src/omp_sdk/_generated/client.py',
} as const;

/** Render every generated Python SDK file from the model. */
export function renderPythonSdk(model: ApiModel): RenderedFile[] {
  const header = generatedHeader({
    generator: pythonGeneratorPath,
    sourceHash: model.sourceHash,
    comment: '#',
  });
  const types = new PyTypes(model.schemas, model.types);
  // Rendering the client may declare inline argument shapes; render it once to collect every declaration,
  // then again with the complete list of model names it imports.
  renderClient(model, types, header, modelNames(types));
  const names = modelNames(types);
  const client = renderClient(model, types, header, names);
  const models = renderModels(model, types, header);
  const clientNames = [
    'AsyncOmpClient',
    'OmpClient',
    ...model.groups.flatMap((g) => resourceNames(g.name)),
  ].sort();
  const all = [...clientNames, ...names];
  const init = [
    header.trimEnd(),
    '"""The generated part of omp_sdk: the clients and the models. Import them from `omp_sdk`."""',
    '',
    `from .client import (\n${clientNames.map((n) => `    ${n},`).join('\n')}\n)`,
    `from .models import (\n${names.map((n) => `    ${n},`).join('\n')}\n)`,
    '',
    '__all__ = [',
    ...all.map((n) => `    ${pyStr(n)},`),
    ']',
    '',
  ].join('\n');
  return [
    { path: pythonSdkPaths.init, content: init },
    { path: pythonSdkPaths.models, content: models },
    { path: pythonSdkPaths.client, content: client },
  ];
}

function resourceNames(group: string[]): string[] {
  const base = group.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return [`${base}Resource`, `Async${base}Resource`];
}
