/**
 * A process that claims an Idempotency-Key on a Postgres store and then waits, for postgres-server.test.ts to
 * kill with SIGKILL mid-request: `node test/postgres-claimer.ts <url> <scope> <key>` prints `claimed` or
 * `refused`.
 */
import { PostgresStore } from '../src/storage/postgres/postgres-store.ts';

const [url, scope, key] = process.argv.slice(2) as [string, string, string];
const store = await PostgresStore.open(url, { poolSize: 1 });
const claimed = await store.idempotency.claim?.(scope, key);
process.stdout.write(claimed ? 'claimed\n' : 'refused\n');
setInterval(() => {}, 60_000); // a request in progress, forever
