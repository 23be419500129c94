import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Credential } from '../auth/keys.ts';
import type { LazyItems } from './body.ts';
import { methodNotAllowed, routeNotFound } from './errors.ts';

/** What a handler sees of a request. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  /** Path parameters by name, percent-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The caller; null only on endpoints with auth `optional` and no valid key. */
  credential: Credential | null;
  /** The parsed JSON body of POST/PUT endpoints; undefined otherwise. For import, `memories` is `[]`. */
  body: unknown;
  /** The import's `memories` items, parsed one by one as they are iterated (import only). */
  items?: LazyItems | undefined;
  /** Ids of the memories the request read or wrote, when its reply body does not name them (the access log). */
  accessed?: readonly string[] | undefined;
}

/** A JSON response, or a handler that wrote the response itself (export streams). */
export type Reply = { status: number; body?: string; headers?: Record<string, string> } | { streamed: true };

/** One endpoint: method, path template, its authentication and body handling, and the handler. */
export interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Template such as `/v1/memories/{id}`; also the route name in logs. */
  path: string;
  /** `required`: 401 without a valid key; `optional`: an invalid key is ignored (health). */
  auth: 'required' | 'optional';
  /** Endpoints with a JSON body: which size limit applies. */
  body?: 'json' | 'import';
  handle(ctx: RequestContext): Promise<Reply> | Reply;
}

interface PathEntry {
  segments: string[];
  methods: Map<string, Endpoint>;
}

/** A small router: exact paths first, then templates with `{param}` segments; 404 and 405 as the spec says. */
export class Router {
  readonly #exact = new Map<string, PathEntry>();
  readonly #templates: PathEntry[] = [];

  add(endpoint: Endpoint): this {
    const isTemplate = endpoint.path.includes('{');
    let entry = isTemplate
      ? this.#templates.find((t) => t.segments.join('/') === endpoint.path.slice(1))
      : this.#exact.get(endpoint.path);
    if (!entry) {
      entry = { segments: endpoint.path.slice(1).split('/'), methods: new Map() };
      if (isTemplate) this.#templates.push(entry);
      else this.#exact.set(endpoint.path, entry);
    }
    entry.methods.set(endpoint.method, endpoint);
    return this;
  }

  /** The endpoint for a request; throws 404 not_found or 405 method_not_allowed. */
  match(method: string, path: string): { endpoint: Endpoint; params: Record<string, string> } {
    let entry = this.#exact.get(path);
    let params: Record<string, string> = {};
    if (!entry) {
      const parts = path.slice(1).split('/');
      for (const t of this.#templates) {
        const p = bind(t.segments, parts);
        if (p) {
          entry = t;
          params = p;
          break;
        }
      }
    }
    if (!entry) throw routeNotFound(path);
    // HEAD is served by the GET endpoint (RFC 9110 §9.3.2); the response carries no body.
    const endpoint = entry.methods.get(method) ?? (method === 'HEAD' ? entry.methods.get('GET') : undefined);
    if (!endpoint) {
      const allow = [...entry.methods.keys()];
      if (allow.includes('GET')) allow.splice(allow.indexOf('GET') + 1, 0, 'HEAD');
      throw methodNotAllowed(method, allow);
    }
    return { endpoint, params };
  }
}

function bind(template: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (template.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i] as string;
    const p = parts[i] as string;
    if (t.startsWith('{')) {
      if (p === '') return undefined;
      params[t.slice(1, -1)] = safeDecode(p);
    } else if (t !== p) return undefined;
  }
  return params;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // not a valid escape: it can never be an id, and the handler answers 404
  }
}
