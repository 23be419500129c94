/**
 * Everything the run creates, so cleanup deletes exactly that and nothing else. Entries record which credential
 * created them (a second principal's memories are only reachable with its own key).
 */

/** One created memory. */
export interface LedgerEntry {
  id: string;
  credential: string;
  checkId: string;
}

/** The run's record of created memories; also the run's markers (tag and namespace) used to find leftovers. */
export class Ledger {
  private readonly entries = new Map<string, LedgerEntry>();

  /** Record a memory the run created (idempotent per credential + id). */
  add(id: string, credential: string, checkId: string): void {
    this.entries.set(`${credential}\u0000${id}`, { id, credential, checkId });
  }

  /** Forget an entry once it is known gone (deleted by the check itself). */
  remove(id: string, credential: string): void {
    this.entries.delete(`${credential}\u0000${id}`);
  }

  /** Every entry, oldest first. */
  all(): LedgerEntry[] {
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }

  /** Credentials that created anything. */
  credentials(): string[] {
    return [...new Set(this.all().map((e) => e.credential))];
  }
}
