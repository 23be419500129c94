// A CommonJS user of omp-sdk: Node >= 20.19 require()s the ES module package. Prints one JSON line.
const { OmpClient } = require('omp-sdk');

async function main() {
  const client = new OmpClient({ baseUrl: process.env.OMP_SERVER, apiKey: process.env.OMP_API_KEY });
  const health = await client.health();
  const page = await client.memories.list({ limit: 1 });
  console.log(
    JSON.stringify({
      runtime: `node ${process.versions.node}`,
      spec: health.version,
      listed: page.memories.length,
    }),
  );
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
