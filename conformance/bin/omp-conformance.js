#!/usr/bin/env node
// The omp-conformance command (src/cli/main.ts). Exit code 3 for a Node too old: 1 would read "not conformant".
import { loadCommand } from './node-guard.js';

const { cli } = await loadCommand(import.meta.url, '../src/cli/main.ts', '../dist/cli/main.js', 3);
await cli();
