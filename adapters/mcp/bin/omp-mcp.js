#!/usr/bin/env node
// Runs the TypeScript sources directly (Node >= 22.18 strips types); see src/stdio.ts.
import { main } from '../src/stdio.ts';

await main();
