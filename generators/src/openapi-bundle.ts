/**
 * spec/dist/openapi.json and spec/dist/openapi.yaml: spec/openapi.yaml with every schema it reaches copied in
 * under `components/schemas`, so any OpenAPI tool (stock swagger-parser, Prism, Redocly, Schemathesis, code
 * generators) loads one self-contained file offline.
 *
 * Why not ref-parser's `bundle()`: it keeps the first place a schema is met as its home (`#/paths/…/schema`)
 * and leaves the `$id`s in, so a tool that honours `$id` still resolves against https://openmemoryprotocol.org.
 * Here every schema document gets a component named as in openapi.yaml (or by its `title`), every `$defs`
 * entry becomes a component of its own (named by its `title`), every `$ref` becomes `#/components/schemas/…`,
 * and `$id`/`$schema` are dropped (`jsonSchemaDialect` states the dialect once). The references are resolved
 * with the kit's one `$ref` helper (@omp-kit/schemas `absoluteRef`/`pointerTokens`).
 */
import { basename, dirname, join, relative } from 'node:path';
import { absoluteRef, documentOf, fragmentOf, pointerOf, pointerTokens } from '@omp-kit/schemas';
import { parse, stringify } from 'yaml';
import { sourceHashCovers } from './header.ts';
import { pascalCase, words } from './names.ts';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Generator path named in the bundle's header. */
export const bundleGeneratorPath = 'generators/src/openapi-bundle.ts';

/** Repository-relative paths of the bundled documents. */
export const bundlePaths = { json: 'spec/dist/openapi.json', yaml: 'spec/dist/openapi.yaml' } as const;

/** The 2020-12 dialect every OMP schema is written in. */
const dialect = 'https://json-schema.org/draft/2020-12/schema';

/** What the bundle is made from. */
export interface BundleSources {
  /** Absolute path of spec/openapi.yaml (its file `$ref`s resolve against it). */
  openapiPath: string;
  /** Its text. */
  openapiText: string;
  /** Schema documents keyed by file stem (`memory` for memory.schema.json); each has an absolute `$id`. */
  schemas: ReadonlyMap<string, { $id: string }>;
  /** `computeSourceHash`, stated in the bundle. */
  sourceHash: string;
}

/** Where a schema document or one of its `$defs` lives in the bundle. */
interface Home {
  /** Component name under `components/schemas`. */
  name: string;
  /** Pointer tokens of the schema inside its document (`[]` or `['$defs', key]`). */
  at: string[];
}

/** The bundled OpenAPI document as a plain object (deterministic: same sources, same object). */
export function bundleOpenapi(src: BundleSources): Obj {
  const api = parse(src.openapiText) as Obj;
  const components = (isObj(api.components) ? api.components : {}) as Obj;
  const declared = (isObj(components.schemas) ? components.schemas : {}) as Obj;
  const byFile = new Map<string, Obj & { $id: string }>();
  const byId = new Map<string, Obj & { $id: string }>();
  for (const [stem, doc] of src.schemas as ReadonlyMap<string, Obj & { $id: string }>) {
    byFile.set(`${stem}.schema.json`, doc);
    byId.set(doc.$id, doc);
  }
  const openapiDir = dirname(src.openapiPath);

  /** The `$id` of a schema file an openapi.yaml `$ref` names (`../schemas/memory.schema.json#…`). */
  const fileRefToUri = (ref: string, where: string): string => {
    const [file = '', fragment] = ref.split('#');
    const doc = byFile.get(basename(file));
    if (!doc || relative(join(openapiDir, dirname(file)), join(openapiDir, '..', 'schemas')) !== '') {
      throw new Error(`${where}: $ref ${ref} names no schema file under schemas/`);
    }
    return fragment === undefined ? doc.$id : `${doc.$id}#${fragment}`;
  };

  // Component names: the name openapi.yaml gives a document, else its title; every `$defs` entry its title.
  const homes = new Map<string, Home[]>();
  const taken = new Map<string, string>();
  const claim = (name: string, owner: string) => {
    const other = taken.get(name);
    if (other !== undefined && other !== owner)
      throw new Error(`bundle: component name ${name} is claimed by both ${other} and ${owner}`);
    taken.set(name, owner);
  };
  for (const [name, value] of Object.entries(declared)) {
    const ref = isObj(value) && typeof value.$ref === 'string' ? value.$ref : undefined;
    const uri = ref && !ref.startsWith('#') ? fileRefToUri(ref, `components/schemas/${name}`) : undefined;
    // A component naming a whole file is that document's home; one naming a part of a file (or anything
    // else) stays a component of its own, its `$ref` rewritten like every other.
    claim(name, uri && !uri.includes('#') ? uri : `#/components/schemas/${name}`);
    if (uri && !uri.includes('#')) homes.set(uri, [...(homes.get(uri) ?? []), { name, at: [] }]);
  }

  /** Every document reached from openapi.yaml, directly or through other documents' `$ref`s. */
  const reached = new Set<string>();
  const reach = (node: unknown, base: string) => {
    if (Array.isArray(node)) for (const n of node) reach(n, base);
    else if (isObj(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) {
          const id = documentOf(base ? absoluteRef(v, base) : fileRefToUri(v, 'openapi.yaml'));
          if (!byId.has(id)) throw new Error(`bundle: $ref ${v} names no schema document`);
          if (!reached.has(id)) {
            reached.add(id);
            reach(byId.get(id), id);
          }
        } else if (k === '$ref' && typeof v === 'string' && base) {
          // A document-internal ref (`#/$defs/x`) stays within a document already reached.
        } else reach(v, base);
      }
    }
  };
  reach(api, '');

  const reachedDocs = [...reached].sort();
  for (const id of reachedDocs) {
    const doc = byId.get(id) as Obj;
    const isType = Object.keys(doc).some((k) => !k.startsWith('$') && !annotations.has(k));
    if (isType && !homes.has(id)) {
      const name = typeof doc.title === 'string' ? componentName(doc.title) : '';
      if (!name) throw new Error(`bundle: ${id} needs a title (or a name in components/schemas)`);
      claim(name, id);
      homes.set(id, [{ name, at: [] }]);
    }
    if (isObj(doc.$defs)) {
      for (const [key, def] of Object.entries(doc.$defs)) {
        const title = isObj(def) && typeof def.title === 'string' ? def.title : undefined;
        const name = title ? componentName(title) : pascalCase(words(key));
        const uri = `${id}#${pointerOf(['$defs', key])}`;
        claim(name, uri);
        homes.set(uri, [{ name, at: ['$defs', key] }]);
      }
    }
  }

  /** The internal reference an absolute schema URI becomes: the longest home that contains it. */
  const internal = (uri: string, where: string): string => {
    const doc = documentOf(uri);
    const tokens = pointerTokens(uri.slice(doc.length));
    for (let n = tokens.length; n >= 0; n--) {
      const prefix = tokens.slice(0, n);
      const home = homes.get(n === 0 ? doc : `${doc}#${pointerOf(prefix)}`)?.[0];
      if (home) return fragmentOf(['components', 'schemas', home.name, ...tokens.slice(n)]);
    }
    throw new Error(`${where}: nothing in the bundle holds ${uri}`);
  };

  /** A schema with `$id`/`$schema` dropped, titled `$defs` hoisted out and every `$ref` made internal. */
  const rewrite = (node: unknown, base: string, where: string, keys = false): unknown => {
    if (Array.isArray(node)) return node.map((n) => rewrite(n, base, where));
    if (!isObj(node)) return node;
    const out: Obj = {};
    for (const [k, v] of Object.entries(node)) {
      if (keys) out[k] = rewrite(v, base, where);
      else if (k === '$id' || k === '$schema') continue;
      else if (k === '$ref' && typeof v === 'string') {
        if (v.startsWith('#') && !base) out[k] = v;
        else out[k] = internal(base ? absoluteRef(v, base) : fileRefToUri(v, where), where);
      } else if (valueKeywords.has(k)) out[k] = v;
      else out[k] = rewrite(v, base, where, nameMaps.has(k));
    }
    return out;
  };

  // The schemas section: openapi.yaml's own components in its order, then every other home by name.
  const schemas: Obj = {};
  const others: Array<[string, Obj]> = [];
  for (const [uri, list] of homes) {
    for (const home of list) {
      const doc = byId.get(documentOf(uri)) as Obj;
      const schema = home.at.reduce<unknown>((n, t) => (n as Obj)[t], doc) as Obj;
      // A document's own `$defs` are components of their own now; deeper `$defs` stay where they are.
      const { $defs: _hoisted, ...rest } = schema;
      const body = rewrite(home.at.length === 0 ? rest : schema, documentOf(uri), uri) as Obj;
      if (home.name in declared) declared[home.name] = body;
      else others.push([home.name, body]);
    }
  }
  for (const [name, value] of Object.entries(declared)) {
    const isHome = [...homes.values()].some((list) => list.some((h) => h.name === name && h.at.length === 0));
    schemas[name] = isHome ? value : rewrite(value, '', name);
  }
  for (const [name, body] of others.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) schemas[name] = body;

  const out: Obj = {};
  for (const [k, v] of Object.entries(api)) {
    if (k === 'components') continue;
    out[k] = k === 'paths' || k === 'webhooks' ? rewrite(v, '', k) : v;
    if (k === 'openapi') out.jsonSchemaDialect = dialect;
  }
  out.components = { ...(rewrite(components, '', 'components') as Obj), schemas };
  out['x-omp-generated'] =
    `Generated file — do not edit. Generator: ${bundleGeneratorPath}. Source hash: ${src.sourceHash} ` +
    `(sha256 of ${sourceHashCovers}). Regenerate: npm run generate`;
  return out;
}

/** A component name from a title: the title itself when it is an identifier (`MemoryId`), else PascalCase. */
function componentName(title: string): string {
  return /^[A-Za-z][A-Za-z0-9_]*$/.test(title) ? title : pascalCase(words(title));
}

/** Annotation keywords: a document with nothing else (defs.schema.json) is a container, not a type. */
const annotations = new Set([
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
]);
/** Keywords whose values are data, never schemas. */
const valueKeywords = new Set(['enum', 'const', 'default', 'examples', 'example']);
/** Keywords whose keys are names (of members, of definitions), each mapping to a schema. */
const nameMaps = new Set(['properties', 'patternProperties', 'dependentSchemas']);

/** Both bundled files, rendered: JSON (2-space, as biome formats it) and YAML with a comment header. */
export function renderOpenapiBundle(src: BundleSources): Array<{ path: string; content: string }> {
  const bundle = bundleOpenapi(src);
  const header = [
    '# Generated file — do not edit.',
    `# Generator: ${bundleGeneratorPath}`,
    `# Source hash: ${src.sourceHash} (sha256 of ${sourceHashCovers})`,
    '# Regenerate: npm run generate',
    '# spec/openapi.yaml with every schema under components/schemas: one self-contained file for tools.',
    '',
  ].join('\n');
  return [
    { path: bundlePaths.json, content: `${JSON.stringify(bundle, null, 2)}\n` },
    {
      path: bundlePaths.yaml,
      content: header + stringify(bundle, { lineWidth: 0, aliasDuplicateObjects: false }),
    },
  ];
}
