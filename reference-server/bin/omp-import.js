#!/usr/bin/env node
// The omp-import command: src/migrate/cli.ts runs when imported.
import { loadCommand } from './node-guard.js';

await loadCommand(import.meta.url, '../src/migrate/cli.ts', '../dist/migrate/cli.js');
