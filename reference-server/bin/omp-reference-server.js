#!/usr/bin/env node
// The omp-reference-server command: src/cli.ts starts the server when imported.
import { loadCommand } from './node-guard.js';

await loadCommand(import.meta.url, '../src/cli.ts', '../dist/cli.js');
