import { startServer, generateKey } from './src/index.ts';
const key = generateKey();
const srv = await startServer({ dbPath: '/tmp/dbg-omp/omp.db', apiKey: key, cache: false, principal: 'owner' });
const h = { authorization: `Bearer ${key}` };
const r = await fetch(`${srv.url}/v1/export`, { headers: h });
console.log('status', r.status);
let n = 0;
const reader = r.body!.getReader();
const timer = setInterval(() => console.log('bytes so far', n), 1000);
for (;;) { const { done, value } = await reader.read(); if (done) break; n += value.length; }
clearInterval(timer);
console.log('done', n);
await srv.close();
