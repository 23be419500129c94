/** The runner's own version, from its package.json (stamped on every report). */
import { readFileSync } from 'node:fs';

export const runnerVersion: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
