#!/usr/bin/env node
// Runs the TypeScript sources directly (Node >= 22.18 strips types); see src/cli/main.ts.
import { cli } from '../src/cli/main.ts';

await cli();
