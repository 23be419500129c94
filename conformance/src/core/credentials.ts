/**
 * The keys of a run as typed values. A check names the key it uses (`PRIMARY`, `SECOND`, a tool key); the label
 * ('token-a', 'token-b', 'tool:<name>') is only how a key is shown: the placeholder that replaces its value in
 * reports and the shell variable of curl lines.
 */

/** Which of the run's keys a request presents. */
export type KeyRef =
  | { readonly role: 'primary' }
  | { readonly role: 'second' }
  | { readonly role: 'tool'; readonly tool: string };

/** The global key of the principal under test (the run's `token` option). */
export const PRIMARY: KeyRef = Object.freeze({ role: 'primary' });
/** A global key of a second principal (the run's `tokenB` option). */
export const SECOND: KeyRef = Object.freeze({ role: 'second' });
/** A per-tool key given for `tool` (the run's `toolTokens` option). */
export function toolKeyRef(tool: string): KeyRef {
  return { role: 'tool', tool };
}

/** How a key is shown in reports and curl lines: 'token-a', 'token-b' or 'tool:<name>'. */
export function keyLabel(k: KeyRef): string {
  return k.role === 'primary' ? 'token-a' : k.role === 'second' ? 'token-b' : `tool:${k.tool}`;
}

/** Whether two key references name the same key. */
export function sameKey(a: KeyRef, b: KeyRef): boolean {
  return keyLabel(a) === keyLabel(b);
}

/** The keys one run was given, by reference; the values never leave it except in requests. */
export class Keyring {
  private readonly secrets = new Map<string, string>();
  private readonly refs = new Map<string, KeyRef>();

  constructor(o: { token?: string; tokenB?: string; toolTokens?: Record<string, string> } = {}) {
    if (o.token) this.set(PRIMARY, o.token);
    if (o.tokenB) this.set(SECOND, o.tokenB);
    for (const [name, token] of Object.entries(o.toolTokens ?? {})) this.set(toolKeyRef(name), token);
  }

  private set(k: KeyRef, secret: string): void {
    this.secrets.set(keyLabel(k), secret);
    this.refs.set(keyLabel(k), k);
  }

  /** Whether the run has this key. */
  has(k: KeyRef): boolean {
    return this.secrets.has(keyLabel(k));
  }

  /** The key's value, or undefined when the run was not given it. */
  secret(k: KeyRef): string | undefined {
    return this.secrets.get(keyLabel(k));
  }

  /** Every key given, in the order given. */
  all(): KeyRef[] {
    return [...this.refs.values()];
  }

  /** Label → value, for redaction (the HTTP client and the MCP transports replace values by labels). */
  byLabel(): ReadonlyMap<string, string> {
    return this.secrets;
  }

  /** The key a label names (for code that carries labels, such as the ledger and MCP sessions). */
  fromLabel(label: string): KeyRef | undefined {
    return this.refs.get(label);
  }
}
