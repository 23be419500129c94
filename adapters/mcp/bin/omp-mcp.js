#!/usr/bin/env node
// The omp-mcp command: the MCP stdio server (src/stdio.ts).
import { loadCommand } from './node-guard.js';

const { main } = await loadCommand(import.meta.url, '../src/stdio.ts', '../dist/stdio.js');
await main();
