/**
 * The control level (SPEC.md §20) of the reference server: the app registry and the access log, over the
 * store's control operations. One instance per server. Both keep their hot state on the server thread, so a
 * request's gate costs no store call: the registry holds every paused or restricted app (this server is the
 * only writer of apps), and the log buffers entries and sends them to the store in batches.
 */

import type { Store } from '../storage/store.ts';
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
  readonly store: Store;
  readonly apps: AppRegistry;
  readonly log: AccessLog;
  readonly retentionSeconds: number;

  private constructor(store: Store, apps: AppRegistry, options: ControlOptions) {
    this.store = store;
    this.apps = apps;
    this.retentionSeconds = Math.max(86_400, options.retentionSeconds ?? LOG_RETENTION_SECONDS);
    this.log = new AccessLog(store, {
      enabled: options.accessLog ?? true,
      retentionSeconds: this.retentionSeconds,
    });
  }

  /** The control level of a store: its app registry is read before the first request. */
  static async open(store: Store, options: ControlOptions = {}): Promise<Control> {
    return new Control(store, await AppRegistry.load(store), options);
  }

  /** Stop the log's timer and write what it holds (before the store closes). */
  close(): Promise<void> {
    return this.log.close();
  }
}
