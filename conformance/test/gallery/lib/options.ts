/**
 * What a gallery server does differently from a faithful OMP 0.3 server. The base (`app.ts`) is an independent
 * in-memory implementation written from spec/SPEC.md; every option below is either a fault a human implementer
 * plausibly makes or a valid variation the spec leaves open. Gallery servers pick a few of each.
 */

/** Faults: each breaks the requirement(s) named in its comment. */
export interface Faults {
  /** Answer every request this many ms late (a slow disk or a remote database). Not a fault by itself. */
  latencyMs?: number;
  /** Reset the connection, unanswered, of every Nth GET/PUT/DELETE/search (a flaky proxy). Not a fault by itself. */
  dropEvery?: number;
  /** Vendor members added to the health body (closed schema: OMP-HEALTH-002). */
  healthExtra?: Record<string, unknown>;
  /** A relevance `score` member on every search hit (closed memory schema: OMP-MEM-001, OMP-SEARCH-001). */
  searchScore?: boolean;
  /** Vendor members added to every error envelope (closed error schema: OMP-ERR-001). */
  errorExtra?: Record<string, unknown>;
  /** A vendor liveness probe at `GET /v1/health/live` (an undefined path answered 200: OMP-HTTP-021). */
  vendorLiveness?: boolean;
  /** A vendor `PATCH /v1/memories/{id}` (an undefined method answered: OMP-HTTP-011). */
  vendorPatch?: boolean;
  /** Largest list `limit` accepted (an off-by-one gives 101: OMP-LIST-006). Search keeps its own, correct parser. */
  listLimitMax?: number;
  /** No `Location` header on create (OMP-CRUD-003, SHOULD). */
  noLocation?: boolean;
  /** Server timestamps with six fractional digits, as Python's isoformat writes them (OMP-TIME-002). */
  microsecondTimestamps?: boolean;
  /** DELETE answers 200 with the deleted memory instead of 204 (OMP-CRUD-019). */
  deleteReturnsMemory?: boolean;
  /** Unknown query parameters are ignored, as most frameworks do (OMP-HTTP-020). */
  ignoreUnknownQuery?: boolean;
  /** The health `memories_count` is always null, even with a valid key (OMP-HEALTH-004). */
  healthCountAlwaysNull?: boolean;
  /** Only the exact scheme name `Bearer` is accepted (OMP-AUTH-004). */
  bearerCaseSensitive?: boolean;
  /** An unknown import `conflict` value falls back to `skip` instead of a 422 (OMP-IMPORT-005). */
  importUnknownConflictAsSkip?: boolean;
  /** Export lists memories newest first (OMP-EXPORT-004). */
  exportNewestFirst?: boolean;
  /** An update with an empty body is answered 200 and changes nothing but `updated_at` (OMP-CRUD-015). */
  emptyUpdateAccepted?: boolean;
  /** Validation paths written `source.tool` instead of the JSON Pointer `/source/tool` (OMP-ERR-003). */
  dottedErrorPaths?: boolean;
  /** A 401 for an unknown key quotes the key (OMP-ERR-010, OMP-SEC-006). */
  echoKeyIn401?: boolean;
  /** The error envelope's `request_id` is minted apart from the `X-Request-Id` header (OMP-HTTP-012, SHOULD). */
  mismatchedRequestId?: boolean;
  /** Error envelopes leave out `details` when there is nothing in it (required by schema error: OMP-ERR-001). */
  omitEmptyDetails?: boolean;
  /** A list's `total` is the length of the page, not of the result (OMP-LIST-012, OMP-LIST-014). */
  totalIsPageLength?: boolean;
  /** An update's `tags` are merged into the stored ones instead of replacing them (OMP-CRUD-013). */
  mergeTagsOnUpdate?: boolean;
  /** Only create checks that `expires_at` lies in the future; update accepts a past one (OMP-EXP-002). */
  noExpiryCheckOnUpdate?: boolean;
  /** A list's `total` also counts memories hidden by read scope `own` (OMP-AUTH-015, OMP-LIST-012). */
  ownScopeTotalLeak?: boolean;
  /** Update forgets the per-tool key's tool check that delete has (OMP-AUTH-012). */
  toolCheckOnUpdateMissing?: boolean;
  /** Get of one memory forgets the `read` scope check that list and search have (OMP-AUTH-014). */
  getIgnoresReadScope?: boolean;
  /** A 429's `Retry-After` is an HTTP-date, as RFC 9110 allows but the spec does not (OMP-ERR-007). */
  retryAfterAsDate?: boolean;
}

/** Valid variations: none of them breaks a requirement. */
export interface Variations {
  /** Write JSON members in reverse of the usual order (member order is not significant in JSON). */
  reverseMembers?: boolean;
  /** Send header names in upper case (HTTP header names are case-insensitive). */
  upperCaseHeaders?: boolean;
  /** An absolute URL in `Location` (RFC 9110 §10.2.2 allows any URI reference). */
  absoluteLocation?: boolean;
  /** `Connection: close` on every response (no keep-alive). */
  connectionClose?: boolean;
  /** Ids whose first 9 characters are the creation time in base 36 (still `^mem_[a-z0-9]{16}$`). */
  timeOrderedIds?: boolean;
  /** `Allow` lists methods in another order; `Content-Type` spelled `application/json;charset=UTF-8`. */
  headerSpelling?: boolean;
  /** Health `capabilities`, `/v1/me` `scopes` in another order; error `details` carry extra context members. */
  otherOrders?: boolean;
  /** Limit each key to this many requests per second (a token bucket as deep as one second), listing
   *  `rate_limiting` and answering 429 `rate_limited` over it (§9.4). */
  rateLimitPerSecond?: number;
  /** Pretty-printed JSON with every non-ASCII character escaped (`\u00e9`), as Python's json.dumps writes it. */
  asciiPrettyJson?: boolean;
}

/** Options of one in-memory OMP server. */
export interface ServerOptions {
  /** `server.name` in health and exports. */
  name: string;
  /** Declare the Full level: per-tool keys of every scope shape for principal A (§8.2), as `toolTokens`. */
  full?: boolean;
  faults?: Faults;
  variations?: Variations;
}
