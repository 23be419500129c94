/**
 * URL building. Every path parameter goes through {@link pathSegment}, the one place that encodes them,
 * so an id can never change the path it is placed in (`../export`, `a/b`, `?x=1`).
 */

/**
 * Percent-encode one path segment. '', '.' and '..' are refused: no encoding survives URL normalisation
 * for them (WHATWG URL resolves `%2E%2E` like `..`), so they could only address another resource.
 */
export function pathSegment(value: string): string {
  if (typeof value !== 'string' || value === '' || value === '.' || value === '..') {
    throw new TypeError(
      `path parameter must be a non-empty string other than . and .., got ${JSON.stringify(value)}`,
    );
  }
  return encodeURIComponent(value);
}

/** Fill `{name}` placeholders of a path template from `params`, each through {@link pathSegment}. */
export function expandPath(template: string, params: Record<string, string> | undefined): string {
  if (!params) return template;
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => pathSegment(params[name] as string));
}

/** A scalar or list query value; lists are sent comma-separated (OpenAPI `style: form, explode: false`). */
export type QueryValue =
  | string
  | number
  | boolean
  | readonly (string | number | boolean)[]
  | null
  | undefined;

/** `?a=1&b=x,y` from a params object; undefined, null and [] members are left out; '' when nothing is left. */
export function queryString(params: object | undefined): string {
  if (!params) return '';
  let out = '';
  for (const [key, raw] of Object.entries(params) as [string, QueryValue][]) {
    if (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0)) continue;
    const value = Array.isArray(raw) ? raw.join(',') : String(raw);
    out += `${out ? '&' : '?'}${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
  }
  return out;
}
