/** Write conformance/TRACEABILITY.md (requirement → checks); run after adding or retiring a check. */
import { writeFileSync } from 'node:fs';
import { renderTraceability } from '../src/core/traceability.ts';

writeFileSync(new URL('../TRACEABILITY.md', import.meta.url), renderTraceability());
console.log('wrote conformance/TRACEABILITY.md');
