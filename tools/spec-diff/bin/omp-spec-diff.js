#!/usr/bin/env node
// Entry point of omp-spec-diff (src/cli.ts); a repository tool, run from the TypeScript sources.
import { loadCommand } from './node-guard.js';

const { main } = await loadCommand(import.meta.url, '../src/cli.ts', '../dist/cli.js', 2);
process.exitCode = await main(process.argv.slice(2));
