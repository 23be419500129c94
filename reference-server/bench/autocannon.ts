/**
 * autocannon for the bench scripts that drive one request shape (creates-profile, lists-profile, postgres,
 * search-level); bench:server itself uses its own per-operation driver (load-driver.ts). autocannon is CommonJS
 * without type definitions: this is the part of its API the scripts use.
 */
import { createRequire } from 'node:module';

/** What a run reports: counts and latency percentiles in ms. */
export interface CannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

/** Run autocannon with these options (url, connections, duration, requests, …). */
export const autocannon = createRequire(import.meta.url)('autocannon') as (
  opts: Record<string, unknown>,
) => Promise<CannonResult>;
