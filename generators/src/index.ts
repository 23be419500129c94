/** @omp-kit/generators: the spec -> language-neutral model -> SDK files pipeline. */
export type * from './model.ts';
export { camelCase, pascalCase, singular, snakeCase, words } from './names.ts';
export { loadApiModel, type ModelSources, openapiToModel, SpecError } from './openapi-to-model.ts';
export { generateSdkFiles, loadModelOf, renderSdkFiles, type SdkGenerateResult } from './sdks.ts';
export { type RenderedFile, renderTypeScriptSdk, typescriptSdkPaths } from './typescript/sdk-files.ts';
