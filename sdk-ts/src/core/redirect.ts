/**
 * The redirect policy (OMP-CLIENT-008). The SDK fetches with `redirect: 'manual'` and follows redirects itself
 * so the rules are explicit rather than left to the runtime: at most {@link maxRedirects} hops; never from
 * `https` to `http`; `Authorization` only to the origin the client was configured with. 307 and 308 resend the
 * same method and body; 301, 302 and 303 resend a request other than GET or HEAD as a GET without a body
 * (RFC 9110 §15.4; the same rule as Go's net/http, so the three SDKs agree).
 */
import { RedirectError } from './errors.ts';

/** Redirect hops one request may take before it fails with `too_many_redirects`. */
export const maxRedirects = 5;

/** Statuses the client follows when they carry a `Location`. */
const followed = new Set([301, 302, 303, 307, 308]);

/** One request as the redirect policy sees it. */
export interface Hop {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/**
 * The next request for a redirect response, undefined when `res` is not a followable redirect (any other
 * status, or a 3xx without `Location`: the caller treats it as the final response). Throws a
 * {@link RedirectError} for a redirect the policy refuses. `first` is the request before any redirect, `hop`
 * the one `res` answers; `origin` is the configured base URL's origin.
 */
export function nextHop(res: Response, first: Hop, hop: Hop, origin: string, hops: number): Hop | undefined {
  if (res.type === 'opaqueredirect') {
    throw new RedirectError(
      'The runtime hid a redirect response (opaqueredirect); the SDK cannot follow it',
      {
        code: 'opaque_redirect',
        headers: res.headers,
      },
    );
  }
  const location = res.headers.get('location');
  if (!followed.has(res.status) || location === null) return undefined;
  const target = new URL(location, hop.url);
  const refuse = (message: string, code: string): never => {
    throw new RedirectError(message, {
      status: res.status,
      code,
      headers: res.headers,
      location: target.href,
    });
  };
  if (hops >= maxRedirects)
    refuse(`More than ${maxRedirects} redirects, the last to ${target.href}`, 'too_many_redirects');
  if (new URL(hop.url).protocol === 'https:' && target.protocol !== 'https:') {
    refuse(
      `Refused a redirect from https to ${target.protocol.slice(0, -1)}: ${target.href}`,
      'insecure_redirect',
    );
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    refuse(`Refused a redirect to a non-HTTP URL: ${target.href}`, 'insecure_redirect');
  }
  // Every hop starts from the first request's headers, so the key reaches the configured origin only, whatever
  // the hops before (an A -> B -> A chain sends it to A again, never to B).
  const headers = { ...first.headers };
  if (target.origin !== origin) deleteHeader(headers, 'authorization');
  let { method, body } = hop;
  if (res.status !== 307 && res.status !== 308 && method !== 'GET' && method !== 'HEAD') {
    method = 'GET';
    body = undefined;
  }
  if (body === undefined) deleteHeader(headers, 'content-type');
  return { url: target.href, method, headers, body };
}

/** Delete a header whatever the case of its name. */
function deleteHeader(headers: Record<string, string>, name: string): void {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name) delete headers[k];
}
