// An ES module user of omp-sdk, run by the packaging test under Node and Bun against a live reference server
// (OMP_SERVER, OMP_API_KEY): health, create, get; prints one JSON line.
import { OmpClient } from 'omp-sdk';

const runtime = typeof Bun === 'undefined' ? `node ${process.versions.node}` : `bun ${Bun.version}`;
const client = new OmpClient({ baseUrl: process.env.OMP_SERVER, apiKey: process.env.OMP_API_KEY });
const health = await client.health();
const created = await client.memories.create({
  content: `written by the packaging test from ${runtime}`,
  type: 'semantic',
  source: { tool: 'packaging-test' },
});
const got = await client.memories.get(created.id);
console.log(JSON.stringify({ runtime, spec: health.version, id: got.id, content: got.content }));
