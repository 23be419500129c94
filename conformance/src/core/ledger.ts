/**
 * Everything the run creates, so cleanup deletes exactly that and nothing else. Entries record which key created
 * them (a second principal's memories are only reachable with its own key).
 */
import { type KeyRef, keyLabel } from './credentials.ts';

/** One created memory. */
export interface LedgerEntry {
  id: string;
  key: KeyRef;
  checkId: string;
}

/** The run's record of created memories; also the run's markers (tag and namespace) used to find leftovers. */
export class Ledger {
  private readonly entries = new Map<string, LedgerEntry>();

  /** Record a memory the run created (idempotent per key + id). */
  add(id: string, key: KeyRef, checkId: string): void {
    this.entries.set(`${keyLabel(key)}\u0000${id}`, { id, key, checkId });
  }

  /** Forget an entry once it is known gone (deleted by the check itself). */
  remove(id: string, key: KeyRef): void {
    this.entries.delete(`${keyLabel(key)}\u0000${id}`);
  }

  /** Every entry, oldest first. */
  all(): LedgerEntry[] {
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }
}
