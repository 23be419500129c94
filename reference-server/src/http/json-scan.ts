/**
 * A streaming JSON pre-scanner: it reads a request body chunk by chunk as it arrives and, before anything is
 * parsed, knows whether the body is well-formed JSON and which of the protocol's text rules it breaks:
 *
 * - nesting deeper than a limit (recursive code must never see it; the scanner itself keeps a bit stack);
 * - numbers that would not survive as IEEE-754 doubles (`1e400`, `1e-400`, `-0`, `12345678901234567890`);
 * - unpaired surrogate escapes (`"\ud800"`), in values and member names;
 * - duplicate member names in one object;
 * - for an import, the byte span of every item of the top-level `memories` array, counted as they arrive, so a
 *   file with too many items is refused without materialising any of them and items can be parsed one by one.
 *
 * Why not a library: streaming JSON parsers (stream-json, clarinet) build values or token events for every
 * byte, which is what must not happen here, and none reports the number and surrogate rules. JSON.parse stays
 * the parser; this only decides, in one pass and O(depth) memory, whether JSON.parse may run and on what.
 */
import type { Violation } from '@omp-kit/schemas';

/** Why a body is not JSON at all (answered 400 malformed_json). */
export class JsonSyntaxError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

/** What the scan found besides well-formedness. */
export interface ScanResult {
  /** Rule violations with JSON Pointer paths (422), at most MAX_VIOLATIONS. */
  violations: Violation[];
  /** Whether arrays/objects nest deeper than the limit (then `violations` holds one entry for it). */
  tooDeep: boolean;
  /**
   * Items of the top-level `memories` array: byte offsets [start, end) of each, the array's own span, and the
   * violations found inside items, by item index (such items are reported per item, never parsed).
   */
  items: {
    starts: number[];
    ends: number[];
    open: number;
    close: number;
    violations: Map<number, Violation[]>;
  } | null;
}

/** Options of a scan. */
export interface ScanOptions {
  /** Deepest nesting of arrays and objects allowed. */
  maxDepth: number;
  /** Record the items of this top-level array member and refuse more than `max` of them. */
  items?: { member: string; max: number } | undefined;
}

const MAX_VIOLATIONS = 100;

// Scanner states.
const VALUE = 0; // a value is expected (after `:`, `,` in an array, or at the start)
const FIRST_VALUE = 1; // just after `[`: a value or `]`
const AFTER = 2; // after a value: `,`, a closer, or the end
const KEY = 3; // after `,` in an object: a member name
const FIRST_KEY = 4; // just after `{`: a member name or `}`
const COLON = 5;
const STRING = 6;
const ESCAPE = 7; // after a backslash in a string
const UNICODE = 8; // reading the 4 hex digits of \u
const NUMBER = 9;
const LITERAL = 10;
const DONE = 11; // after the top-level value

const BOM = [0xef, 0xbb, 0xbf];
const NUMBER_GRAMMAR = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Sign, significant digits and exponent of a JSON (or JS `String(number)`) decimal. */
function decimalOf(text: string): { negative: boolean; digits: string; exponent: number } {
  const m = /^(-?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/.exec(text) as RegExpExecArray;
  const frac = m[3] ?? '';
  let digits = (m[2] ?? '') + frac;
  let exponent = Number(m[4] ?? 0) - frac.length;
  const lead = /^0*/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(lead);
  const trail = /0*$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trail);
  exponent += trail;
  return { negative: m[1] === '-', digits, exponent: digits === '' ? 0 : exponent };
}

/**
 * Whether a JSON number survives a round trip through an IEEE-754 double unchanged in value: finite, not
 * negative zero, and its decimal value equal to the shortest decimal of the double it parses to. `0.1`, `1.0`
 * and `1e300` pass; `1e400`, `1e-400`, `-0` and `12345678901234567890` do not.
 */
export function isExactDouble(text: string): boolean {
  const value = Number(text);
  if (!Number.isFinite(value) || Object.is(value, -0)) return false;
  const a = decimalOf(text);
  const b = decimalOf(String(value));
  return a.digits === b.digits && a.exponent === b.exponent && (a.negative === b.negative || a.digits === '');
}

/** Escape a member name for a JSON Pointer (RFC 6901). */
function pointerToken(key: string | number): string {
  return typeof key === 'number' ? String(key) : key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The incremental scanner: `write` each chunk, then `end`. Throws JsonSyntaxError on malformed input. */
export class JsonScanner {
  readonly #maxDepth: number;
  readonly #items: { member: string; max: number } | undefined;
  #state = VALUE;
  #offset = 0; // absolute offset of the current chunk's first byte
  #depth = 0;
  // One bit per level: 1 = array, 0 = object. Grows as needed (a bit per level keeps even absurd depth small).
  #kinds = new Uint32Array(16);
  // Per open object up to maxDepth: its member names so far (duplicates), and the path for violations.
  readonly #names: (Set<string> | null)[] = [];
  readonly #path: (string | number)[] = [];
  readonly #members: number[] = [];
  #isKey = false; // the string being read is a member name
  #tokenStart = 0;
  #parts: Buffer[] = []; // bytes of the current member name or number, across chunks
  #collect = false; // whether the current string's bytes are needed (member names)
  #hexLeft = 0;
  #hexValue = 0;
  #pendingHigh = false; // a high surrogate escape waits for its low half
  #loneSurrogate = false; // the current string has an unpaired surrogate
  #literal = '';
  #literalAt = 0;
  #bomAt = 0; // bytes of a leading byte order mark seen
  readonly violations: Violation[] = [];
  #tooDeep = false;
  // Import items.
  #memberKey: string | null = null; // the name of the top-level member whose value is being read
  #inItems = false;
  #itemsOpen = -1;
  #itemsClose = -1;
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  #overflow = false;
  readonly #itemViolations = new Map<number, Violation[]>();

  constructor(options: ScanOptions) {
    this.#maxDepth = options.maxDepth;
    this.#items = options.items;
  }

  /** Whether the body already breaks a rule (its bytes need not be kept: the answer is 400 or 422). */
  get failed(): boolean {
    return this.violations.length > 0;
  }

  #violate(path: string, message: string): void {
    // Inside an import item, a violation belongs to the item: it is reported per item (OMP-IMPORT-009).
    if (this.#inItems && this.#depth >= 2 && this.#starts.length > 0) {
      const index = this.#starts.length - 1;
      const list = this.#itemViolations.get(index) ?? [];
      if (list.length < MAX_VIOLATIONS) list.push({ path, message });
      this.#itemViolations.set(index, list);
      return;
    }
    if (this.violations.length < MAX_VIOLATIONS) this.violations.push({ path, message });
  }

  #pointer(): string {
    const n = Math.min(this.#depth, this.#maxDepth);
    let out = '';
    for (let i = 0; i < n; i++) {
      const p = this.#path[i];
      if (p === undefined) break;
      out += `/${pointerToken(p)}`;
    }
    return out === '' ? '/' : out;
  }

  #isArray(): boolean {
    const d = this.#depth - 1;
    return ((this.#kinds[d >>> 5] as number) & (1 << (d & 31))) !== 0;
  }

  #open(isArray: boolean, at: number): void {
    const d = this.#depth;
    if (d >>> 5 >= this.#kinds.length) {
      const grown = new Uint32Array(this.#kinds.length * 2);
      grown.set(this.#kinds);
      this.#kinds = grown;
    }
    const word = d >>> 5;
    const bit = 1 << (d & 31);
    this.#kinds[word] = isArray ? (this.#kinds[word] as number) | bit : (this.#kinds[word] as number) & ~bit;
    this.#depth = d + 1;
    if (this.#depth > this.#maxDepth) {
      if (!this.#tooDeep) {
        this.#tooDeep = true;
        this.#violate('/', `must not nest arrays or objects more than ${this.#maxDepth} levels deep`);
      }
    } else {
      this.#names[d] = null; // an object's name set is made at its second member
      this.#members[d] = 0;
      this.#path[d] = isArray ? 0 : '';
    }
    if (this.#items && d === 1 && isArray && this.#memberKey === this.#items.member) {
      this.#inItems = true;
      this.#itemsOpen = at;
    }
    this.#state = isArray ? FIRST_VALUE : FIRST_KEY;
  }

  #close(isArray: boolean, at: number): void {
    if (this.#depth === 0 || this.#isArray() !== isArray)
      throw new JsonSyntaxError(`unexpected '${isArray ? ']' : '}'}'`, at);
    if (this.#inItems && this.#depth === 2) {
      if (!this.#overflow && this.#starts.length > this.#ends.length) this.#ends.push(at);
      this.#inItems = false;
      this.#itemsClose = at;
    }
    this.#depth--;
    if (this.#depth < this.#maxDepth) {
      this.#names[this.#depth] = null;
    }
    this.#valueDone();
  }

  /** A value (scalar or container) just ended. */
  #valueDone(): void {
    this.#state = this.#depth === 0 ? DONE : AFTER;
  }

  /** A value is about to start at `at` (for item spans). */
  #valueStart(at: number): void {
    if (this.#inItems && this.#depth === 2 && !this.#overflow) {
      this.#starts.push(at);
      // Past the cap nothing more is recorded: the body is refused, only its syntax is still checked.
      if (this.#starts.length > (this.#items as { max: number }).max) {
        this.#overflow = true;
        this.violations.push({
          path: `/${this.#items?.member}`,
          message: `must not have more than ${this.#items?.max} items (split the file)`,
        } as Violation);
      }
    }
  }

  #comma(at: number): void {
    if (this.#depth === 0) throw new JsonSyntaxError("unexpected ','", at);
    if (this.#isArray()) {
      if (this.#inItems && this.#depth === 2 && !this.#overflow) this.#ends.push(at);
      if (this.#depth <= this.#maxDepth)
        this.#path[this.#depth - 1] = (this.#path[this.#depth - 1] as number) + 1;
      this.#state = VALUE;
    } else {
      this.#state = KEY;
    }
  }

  #nameDone(name: string): void {
    const d = this.#depth - 1;
    if (d < this.#maxDepth) {
      // Most objects have one member or none: the first name is only in the path; a set is made at the second.
      const count = this.#members[d] ?? 0;
      let names = this.#names[d] ?? null;
      if (count === 1) {
        names = new Set([this.#path[d] as string]);
        this.#names[d] = names;
      }
      this.#path[d] = name;
      if (names?.has(name)) this.#violate(this.#pointer(), 'must not be a duplicate member name');
      else names?.add(name);
      this.#members[d] = count + 1;
    }
    if (this.#depth === 1) this.#memberKey = name;
  }

  #text(chunkEnd: Buffer, end: number): string {
    this.#parts.push(chunkEnd.subarray(0, end));
    const text = Buffer.concat(this.#parts).toString('utf8');
    this.#parts = [];
    return text;
  }

  /** Scan the next chunk of the body. */
  write(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    // A byte order mark is allowed (RFC 8259 §8.1), even split across chunks; a partial one is not UTF-8.
    while (this.#bomAt < 3 && this.#offset + i === this.#bomAt && i < n && chunk[i] === BOM[this.#bomAt]) {
      i++;
      this.#bomAt++;
    }
    let partStart = this.#state === NUMBER || this.#collect ? 0 : -1;
    for (; i < n; i++) {
      const c = chunk[i] as number;
      const at = this.#offset + i;
      switch (this.#state) {
        case STRING: {
          if (!this.#pendingHigh) {
            // Fast path: plain string bytes.
            while (i < n) {
              const b = chunk[i] as number;
              if (b === 0x22 || b === 0x5c || b < 0x20) break;
              i++;
            }
            if (i === n) break;
          }
          const b = chunk[i] as number;
          if (this.#pendingHigh && b !== 0x5c) {
            this.#pendingHigh = false;
            this.#loneSurrogate = true;
          }
          if (b === 0x22) this.#stringDone(chunk, i, partStart);
          else if (b === 0x5c) this.#state = ESCAPE;
          else if (b < 0x20) throw new JsonSyntaxError('control character in a string', this.#offset + i);
          break;
        }
        case ESCAPE:
          if (c === 0x75) {
            this.#state = UNICODE;
            this.#hexLeft = 4;
            this.#hexValue = 0;
          } else {
            if (this.#pendingHigh) {
              this.#pendingHigh = false;
              this.#loneSurrogate = true;
            }
            if (
              c !== 0x22 &&
              c !== 0x5c &&
              c !== 0x2f &&
              c !== 0x62 &&
              c !== 0x66 &&
              c !== 0x6e &&
              c !== 0x72 &&
              c !== 0x74
            )
              throw new JsonSyntaxError('invalid escape in a string', at);
            this.#state = STRING;
          }
          break;
        case UNICODE: {
          const h = hexValue(c);
          if (h < 0) throw new JsonSyntaxError('invalid \\u escape in a string', at);
          this.#hexValue = this.#hexValue * 16 + h;
          if (--this.#hexLeft === 0) {
            const u = this.#hexValue;
            const low = u >= 0xdc00 && u <= 0xdfff;
            const high = u >= 0xd800 && u <= 0xdbff;
            if (this.#pendingHigh) {
              this.#pendingHigh = false;
              if (!low) this.#loneSurrogate = true;
              if (high) this.#pendingHigh = true;
            } else if (high) this.#pendingHigh = true;
            else if (low) this.#loneSurrogate = true;
            this.#state = STRING;
          }
          break;
        }
        case NUMBER:
          if ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d)
            break;
          this.#numberDone(chunk, i, partStart);
          partStart = -1;
          i--; // the byte that ended the number is read again in the state after it
          break;
        case LITERAL:
          if (c !== this.#literal.charCodeAt(this.#literalAt))
            throw new JsonSyntaxError('invalid literal', at);
          if (++this.#literalAt === this.#literal.length) this.#valueDone();
          break;
        default:
          if (isSpace(c)) break;
          partStart = this.#structural(c, at, i);
      }
    }
    if (partStart >= 0 && (this.#state === NUMBER || this.#collect)) {
      this.#parts.push(chunk.subarray(partStart));
    }
    this.#offset += n;
  }

  /** A byte outside strings, numbers and literals. Returns where collected bytes start in the chunk, or -1. */
  #structural(c: number, at: number, i: number): number {
    const state = this.#state;
    if (state === DONE) throw new JsonSyntaxError('unexpected data after the JSON value', at);
    if (state === COLON) {
      if (c !== 0x3a) throw new JsonSyntaxError("expected ':'", at);
      this.#state = VALUE;
      return -1;
    }
    if (state === KEY || state === FIRST_KEY) {
      if (c === 0x7d && state === FIRST_KEY) {
        this.#close(false, at);
        return -1;
      }
      if (c !== 0x22) throw new JsonSyntaxError('expected a member name', at);
      this.#beginString(true, at);
      return i + 1;
    }
    if (state === AFTER) {
      if (c === 0x2c) this.#comma(at);
      else if (c === 0x5d) this.#close(true, at);
      else if (c === 0x7d) this.#close(false, at);
      else throw new JsonSyntaxError("expected ',' or the end of an array or object", at);
      return -1;
    }
    // VALUE or FIRST_VALUE
    if (c === 0x5d && state === FIRST_VALUE) {
      this.#close(true, at);
      return -1;
    }
    this.#valueStart(at);
    if (c === 0x7b || c === 0x5b) {
      this.#open(c === 0x5b, at);
      return -1;
    }
    if (c === 0x22) {
      this.#beginString(false, at);
      return -1;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.#state = NUMBER;
      this.#tokenStart = at;
      this.#parts = [];
      return i;
    }
    const literal = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : '';
    if (literal === '') throw new JsonSyntaxError('unexpected character', at);
    this.#literal = literal;
    this.#literalAt = 1;
    this.#state = LITERAL;
    return -1;
  }

  #beginString(isKey: boolean, at: number): void {
    this.#state = STRING;
    this.#isKey = isKey;
    this.#collect = isKey;
    this.#tokenStart = at;
    this.#parts = [];
    this.#pendingHigh = false;
    this.#loneSurrogate = false;
  }

  #stringDone(chunk: Buffer, i: number, partStart: number): void {
    if (this.#isKey) {
      const ps = partStart < 0 ? 0 : partStart;
      const raw = this.#text(chunk.subarray(ps), i - ps);
      const name = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
      this.#state = COLON;
      this.#nameDone(name);
    } else this.#valueDone();
    if (this.#loneSurrogate) {
      this.#violate(
        this.#pointer(),
        'must not contain unpaired surrogates (escapes \\ud800 to \\udfff without their pair)',
      );
    }
    this.#collect = false;
  }

  #numberDone(chunk: Buffer, i: number, partStart: number): void {
    const text = this.#text(
      chunk.subarray(partStart < 0 ? 0 : partStart),
      i - (partStart < 0 ? 0 : partStart),
    );
    if (!NUMBER_GRAMMAR.test(text)) throw new JsonSyntaxError('invalid number', this.#tokenStart);
    if (!isExactDouble(text)) {
      this.#violate(
        this.#pointer(),
        `must be a number an IEEE-754 double holds exactly as written (got ${text.length > 40 ? `${text.slice(0, 40)}…` : text})`,
      );
    }
    this.#valueDone();
  }

  /** The body ended: throws if it was not one complete JSON value. */
  end(): ScanResult {
    if (this.#state === NUMBER) {
      this.#numberDone(Buffer.alloc(0), 0, 0);
    }
    if (this.#state !== DONE) {
      throw new JsonSyntaxError(
        this.#offset === 0 ? 'the body is empty' : 'unexpected end of the body',
        this.#offset,
      );
    }
    return {
      violations: this.violations,
      tooDeep: this.#tooDeep,
      items:
        this.#itemsOpen >= 0
          ? {
              starts: this.#starts,
              ends: this.#ends,
              open: this.#itemsOpen,
              close: this.#itemsClose,
              violations: this.#itemViolations,
            }
          : null,
    };
  }
}
