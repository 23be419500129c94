/** The built-in suite: importing each area file registers its checks, in this order. */
import { definedChecks } from '../core/registry.ts';
import type { CheckSpec } from '../core/types.ts';
import './health.ts';
import './auth.ts';
import './crud.ts';
import './memory.ts';
import './list.ts';
import './search.ts';
import './search-relevance.ts';
import './expiry.ts';
import './export-import.ts';
import './http.ts';
import './errors.ts';
import './versions.ts';
import './concurrency.ts';
import './cursor.ts';
import './bulk-delete.ts';
import './discovery.ts';
import './strict-json.ts';
import './control-states.ts';
import './control-apps.ts';
import './control-log.ts';
import './mcp-server.ts';
import './mcp.ts';
// Last: its exclusive checks read what every other check's exchanges showed.
import './run-wide.ts';
import './mcp-run.ts';

/** Every built-in check, in definition order. */
export function allChecks(): readonly CheckSpec[] {
  return definedChecks();
}
