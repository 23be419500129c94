import { WorkerStore } from './src/storage/worker-store.ts';
const s = await WorkerStore.open('/tmp/dbg-omp/omp.db', null);
let n = 0;
for await (const rows of s.exportPages({ principal: 'owner', ownTool: null })) { n += rows.length; console.log('page', rows.length); }
console.log('total', n);
await s.close();
