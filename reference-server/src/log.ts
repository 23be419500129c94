/** One structured log line (JSON) per event on stderr. Never memory content, never keys (OMP-SEC-004). */
export type LogSink = (entry: Record<string, unknown>) => void;

/** Writes each entry as one JSON line to stderr. */
export const stderrSink: LogSink = (entry) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
};

/** Drops everything (tests, benchmarks that measure without logging). */
export const silentSink: LogSink = () => {};
