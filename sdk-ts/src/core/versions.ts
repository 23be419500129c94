/**
 * Version negotiation (SPEC.md §1.2, OMP-CLIENT-004). The SDK implements 0.3 and 0.4. It learns the versions a
 * server implements from health `versions` (a body without it lists only `version`) or from the `OMP-Version`
 * header every 0.4 response carries, and then names the newest common version in `OMP-Version` on each request.
 * Until it knows, it sends nothing a 0.3 server would not expect; a call that needs a 0.4 feature (an
 * `Idempotency-Key`, an `If-Match`) first reads health, once per client.
 */

/** Every version this SDK implements, ascending. */
export const SDK_VERSIONS: readonly string[] = ['0.3', '0.4'];
/** The newest of them. */
export const SDK_VERSION = '0.4';

/** `a` compared with `b`, both MAJOR.MINOR: negative, 0 or positive. */
export function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

/** The newest version both this SDK and a server listing `server` implement; undefined when none. */
export function newestCommon(server: readonly string[]): string | undefined {
  return [...SDK_VERSIONS].reverse().find((v) => server.includes(v));
}

/** The versions a health body lists: `versions`, or its `version` alone (0.3 and draft servers). */
export function versionsOfHealth(body: unknown): string[] | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const { versions, version } = body as { versions?: unknown; version?: unknown };
  if (Array.isArray(versions)) return versions.filter((v): v is string => typeof v === 'string');
  return typeof version === 'string' ? [version] : undefined;
}

/** What one client knows about its server's versions. */
export class Negotiation {
  #version: string | undefined;
  readonly #pinned: boolean;
  #pending: Promise<string | undefined> | undefined;

  /** `pinned`: a version the caller chose (`specVersion`); the client then never asks the server. */
  constructor(pinned?: string) {
    if (pinned !== undefined && !SDK_VERSIONS.includes(pinned)) {
      throw new TypeError(`OmpClient: specVersion must be one of ${SDK_VERSIONS.join(', ')}`);
    }
    this.#version = pinned;
    this.#pinned = pinned !== undefined;
  }

  /** The negotiated version, or undefined while unknown. */
  get version(): string | undefined {
    return this.#version;
  }

  /** Whether the negotiated version is `v` or later (false while unknown). */
  atLeast(v: string): boolean {
    return this.#version !== undefined && compareVersions(this.#version, v) >= 0;
  }

  /** Learn from a health body. */
  fromHealth(body: unknown): void {
    if (this.#pinned) return;
    const listed = versionsOfHealth(body);
    if (listed) this.#version = newestCommon(listed) ?? '0.3';
  }

  /**
   * Learn from the `OMP-Version` of a response to a request that named no version: the server answered under
   * the newest version it lists, so it lists that one. A version this SDK does not know teaches nothing.
   */
  fromHeader(value: string | null): void {
    if (this.#pinned || this.#version !== undefined || value === null) return;
    if (SDK_VERSIONS.includes(value.trim())) this.#version = value.trim();
  }

  /** The version, reading health through `discover` once when unknown; undefined when health failed. */
  async ensure(discover: () => Promise<unknown>): Promise<string | undefined> {
    if (this.#version !== undefined) return this.#version;
    this.#pending ??= discover().then(
      (body) => {
        this.fromHealth(body);
        return this.#version;
      },
      () => undefined, // not remembered: the next call asks again
    );
    const pending = this.#pending;
    const v = await pending;
    if (this.#pending === pending) this.#pending = undefined;
    return v;
  }
}
