import type { IncomingMessage } from 'node:http';
import { unauthorized } from '../http/errors.ts';
import type { Credential, KeyRing } from './keys.ts';

// `Bearer <key>`, scheme in any case (OMP-AUTH-004); exactly one key, no commas or spaces inside it.
const BEARER = /^[Bb][Ee][Aa][Rr][Ee][Rr] +([\x21-\x2b\x2d-\x7e]+) *$/;

/**
 * The credential of a request. Throws 401 for a missing, malformed or unknown key (OMP-AUTH-001..003); the
 * presented key never appears in the error (OMP-ERR-010).
 */
export function authenticate(req: IncomingMessage, keys: KeyRing): Credential {
  const values = req.headersDistinct.authorization;
  if (!values || values.length === 0) throw unauthorized('Missing Authorization header; send "Bearer <key>"');
  if (values.length > 1) throw unauthorized('More than one Authorization header', 'invalid_request');
  const m = BEARER.exec(values[0] as string);
  if (!m) throw unauthorized('Malformed Authorization header; expected "Bearer <key>"', 'invalid_request');
  const credential = keys.lookup(m[1] as string);
  if (!credential) throw unauthorized('Unknown API key', 'invalid_token');
  return credential;
}

/** The credential of an `Authorization` header value (the MCP endpoints' own calls); throws 401 like above. */
export function credentialOf(authorization: string, keys: KeyRing): Credential {
  return authenticate(
    { headersDistinct: { authorization: [authorization] } } as unknown as IncomingMessage,
    keys,
  );
}

/** The credential if the request carries a valid key, else null; never throws (GET /v1/health). */
export function tryAuthenticate(req: IncomingMessage, keys: KeyRing): Credential | null {
  try {
    return authenticate(req, keys);
  } catch {
    return null;
  }
}
