/**
 * The control level (SPEC.md §20) of the reference server: the app registry, the access log and the control
 * tables, wired to the memory store. One instance per server.
 */

import { ControlStore } from '../storage/control-store.ts';
import type { MemoryStore } from '../storage/memory-store.ts';
import { AccessLog, LOG_RETENTION_SECONDS } from './access-log.ts';
import { AppRegistry } from './apps.ts';

/** Options of the control level. */
export interface ControlOptions {
  /** Record the access log (default true); off only to measure its cost (bench:server). */
  accessLog?: boolean | undefined;
  /** How long entries are kept; at least a day (OMP-CTRL-001). */
  retentionSeconds?: number | undefined;
}

/** Everything the control endpoints and the request gate share. */
export class Control {
  readonly store: ControlStore;
  readonly apps: AppRegistry;
  readonly log: AccessLog;
  readonly retentionSeconds: number;

  constructor(memories: MemoryStore, options: ControlOptions = {}) {
    this.store = new ControlStore(memories.database);
    this.apps = new AppRegistry(this.store);
    this.retentionSeconds = Math.max(86_400, options.retentionSeconds ?? LOG_RETENTION_SECONDS);
    this.log = new AccessLog(this.store, {
      enabled: options.accessLog ?? true,
      retentionSeconds: this.retentionSeconds,
    });
    const db = memories.database;
    // Buffered entries ride on the next write batch's fsync; a savepoint keeps a failure of theirs from
    // failing the batch's memory writes.
    memories.beforeCommit = () => {
      db.exec('SAVEPOINT access_log');
      try {
        this.log.flushInto();
        db.exec('RELEASE access_log');
      } catch {
        db.exec('ROLLBACK TO access_log');
        db.exec('RELEASE access_log');
      }
    };
  }

  /** Stop the log's timer and write what it holds (before the store closes). */
  close(): void {
    this.log.close();
  }
}
