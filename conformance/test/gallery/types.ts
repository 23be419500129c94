/**
 * The gallery contract: every imperfect server in `conformance/test/gallery/<name>/` has a `server.ts` exporting
 * `start(): Promise<GalleryServer>` and a `truth.json` (a `GalleryTruth`): the requirement IDs it breaks, decided
 * from SPEC.md's requirement text, never from what the runner reports.
 */

/** A running gallery server, as the gallery test drives it. */
export interface GalleryServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Key A (the runner's `--token`). */
  token: string;
  /** Key B, another principal (the runner's `--token-b`), when the server has one. */
  tokenB?: string;
  /** Per-tool keys (the runner's `--tool-token`), when the server has them. */
  toolTokens?: Record<string, string>;
  /** Levels to run, overriding `truth.json` `levels` (rarely needed). */
  levels?: string[];
  /** Stops the server and frees its port. */
  close(): Promise<void>;
}

/** One requirement a gallery server breaks, with the spec's reason. */
export interface GalleryBreak {
  /** Requirement ID, e.g. `OMP-CRUD-003`. */
  id: string;
  /** Why the server breaks it: the fault, and the requirement text it contradicts. */
  why: string;
}

/** A documented disagreement between truth and runner that the test tolerates (the runner's remaining bugs). */
export interface GalleryException {
  /** Requirement ID. */
  id: string;
  /** `missed`: truth says broken, runner does not fail it. `extra`: runner fails it, truth says it holds. */
  kind: 'missed' | 'extra';
  /** Why this is tolerated (the runner bug, with the check ID and message). */
  reason: string;
}

/** `truth.json`: the ground truth of one gallery server. */
export interface GalleryTruth {
  /** What the server is and the faults it has, in one or two sentences. */
  description: string;
  /** Levels the gallery test runs (the runner's `--level`), e.g. `["core"]`. */
  levels: string[];
  /**
   * The spec version the server is certified against (the newest it and the runner both speak): the requirement
   * IDs of `breaks` are that version's. Default: the current version.
   */
  specVersion?: string;
  /** Every requirement the server breaks. An empty list means the server is conformant at `levels`. */
  breaks: GalleryBreak[];
  /** Tolerated discrepancies; each must name a runner bug, never weaken the truth. */
  exceptions: GalleryException[];
}

/** What `server.ts` in a gallery folder exports. */
export interface GalleryModule {
  /** Starts the server on a free port (port 0) and returns how to reach it. */
  start(): Promise<GalleryServer>;
}
