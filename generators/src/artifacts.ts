/**
 * The one list of files derived from the spec. `npm run generate` writes them, `npm run generate:check` and
 * the tests compare them. A new generator adds one producer here and nowhere else. Every producer of a run
 * shares one context, and so one language-neutral model (`ctx.model()`, built on first use).
 */
import { readFileSync } from 'node:fs';
import {
  catalogueProducer,
  type GeneratedFile,
  type ArtifactProducer as Producer,
} from '../../spec/tools/artifacts.ts';
import { type GenerationContext, generationContext } from './context.ts';
import { renderGoSdk } from './go/go-files.ts';
import { generatedHeader } from './header.ts';
import { renderOpenapiBundle } from './openapi-bundle.ts';
import { renderPythonSdk } from './python/sdk-files.ts';
import { emitTypeScript } from './typescript/json-schema-to-ts.ts';
import { renderTypeScriptSdk } from './typescript/sdk-files.ts';

export { catalogueProducer, type GeneratedFile, type GenerationContext, generationContext };

/** A generator of one or more files from a run's context; `produce` throws (saying why) when it cannot. */
export type ArtifactProducer = Producer<GenerationContext>;

/** Repository-relative path of the schema types (the @omp-kit/schemas package's `./types`). */
export const schemaTypesPath = 'schemas/generated/types.ts';

/** schemas/generated/types.ts, from the JSON Schemas. */
export const typesProducer: ArtifactProducer = {
  name: 'types',
  produce: (ctx) => [
    {
      path: schemaTypesPath,
      content: emitTypeScript(ctx.schemas, {
        header: generatedHeader({
          generator: 'generators/src/typescript/json-schema-to-ts.ts',
          sourceHash: ctx.sourceHash,
        }),
      }),
    },
  ],
};

/** spec/dist/openapi.json and spec/dist/openapi.yaml: the self-contained OpenAPI document for tools. */
export const openapiBundleProducer: ArtifactProducer = {
  name: 'openapi-bundle',
  produce: (ctx) =>
    renderOpenapiBundle({
      openapiPath: ctx.paths.openapi,
      openapiText: readFileSync(ctx.paths.openapi, 'utf8'),
      schemas: ctx.schemas,
      sourceHash: ctx.sourceHash,
    }),
};

/** The TypeScript SDK's files: types, client and README reference of sdk-ts. */
export const sdkProducer: ArtifactProducer = {
  name: 'sdk',
  produce: async (ctx) => renderTypeScriptSdk(await ctx.model(), ctx.paths.root),
};

/** The Python SDK's generated files (sdk-python/src/omp_sdk/_generated/), from the same model. */
export const pythonSdkProducer: ArtifactProducer = {
  name: 'sdk-python',
  produce: async (ctx) => renderPythonSdk(await ctx.model()),
};

/** The Go SDK's generated files (sdk-go/types_gen.go, sdk-go/operations_gen.go), from the same model. */
export const goSdkProducer: ArtifactProducer = {
  name: 'sdk-go',
  produce: async (ctx) => renderGoSdk(await ctx.model()),
};

/** Every producer of the repository, in write order. */
export const producers: readonly ArtifactProducer[] = [
  catalogueProducer,
  typesProducer,
  openapiBundleProducer,
  sdkProducer,
  pythonSdkProducer,
  goSdkProducer,
];

/** The producers that need only spec/ and schemas/ (what a scratch copy of the spec can render). */
export const specProducers: readonly ArtifactProducer[] = [
  catalogueProducer,
  typesProducer,
  openapiBundleProducer,
];

/** The producers named in `names` (all when undefined); throws on an unknown name. */
export function selectProducers(names?: readonly string[]): readonly ArtifactProducer[] {
  if (!names) return producers;
  return names.map((n) => {
    const p = producers.find((x) => x.name === n);
    if (!p)
      throw new Error(`unknown artifact producer ${n}; known: ${producers.map((x) => x.name).join(', ')}`);
    return p;
  });
}

/** Result of one producer: its files, or the error that prevented them. */
export type Rendered = { producer: string; files: GeneratedFile[] } | { producer: string; error: string };

/** Run producers in memory; one failing producer does not stop the others. */
export async function renderArtifacts(
  ctx: GenerationContext,
  list: readonly ArtifactProducer[] = producers,
): Promise<Rendered[]> {
  const out: Rendered[] = [];
  for (const p of list) {
    try {
      out.push({ producer: p.name, files: await p.produce(ctx) });
    } catch (e) {
      out.push({ producer: p.name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
