/** @omp-kit/generators: spec + schemas -> language-neutral model -> SDK files (and the bundled OpenAPI document). */

export { type GenerationContext, generationContext, loadModelOf } from './context.ts';
export { type GenerateResult, generate } from './generate.ts';
export type * from './model.ts';
export { camelCase, pascalCase, singular, snakeCase, words } from './names.ts';
export { bundleOpenapi, bundlePaths, renderOpenapiBundle } from './openapi-bundle.ts';
export { loadApiModel, type ModelSources, openapiToModel, SpecError } from './openapi-to-model.ts';
export { type RenderedFile, renderTypeScriptSdk, typescriptSdkPaths } from './typescript/sdk-files.ts';
