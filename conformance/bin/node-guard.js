/**
 * Checks the Node.js version before any of the package is loaded, so that an unsupported Node prints what to do
 * instead of a stack trace; then imports the command: dist/ in the published package, the TypeScript sources in
 * a checkout of the repository (Node >= 22.18 strips their types). Plain JavaScript that any Node can parse.
 * The same file ships in every package with a bin (the packaging test keeps the copies identical).
 */
import { existsSync, readFileSync } from 'node:fs';

/** Lowest Node that strips types from the sources of a checkout. */
const SOURCE_NODE = [22, 18, 0];

const parse = (v) => (String(v).match(/\d+/g) ?? []).slice(0, 3).map(Number).concat([0, 0, 0]).slice(0, 3);
const below = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/**
 * Import the command module (`source` in a checkout, `compiled` in the package, both relative to the bin's URL)
 * once the running Node satisfies the package's `engines.node` (">=X.Y.Z"); otherwise explain and exit.
 */
export async function loadCommand(binUrl, source, compiled, exitCode = 1) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', binUrl), 'utf8'));
  const fromSource = existsSync(new URL(source, binUrl));
  const declared = parse(pkg.engines?.node ?? '0');
  const need = fromSource && below(declared, SOURCE_NODE) < 0 ? SOURCE_NODE : declared;
  const have = parse(process.versions.node);
  if (below(have, need) < 0) {
    const bin = Object.keys(pkg.bin ?? {})[0] ?? pkg.name;
    const lines = fromSource
      ? [
          `${bin}: this checkout runs the TypeScript sources, which needs Node.js >= ${need.join('.')}; this is Node ${process.versions.node} (${process.execPath}).`,
          'Run it through npm, which uses the Node 24 that `npm ci` installed (e.g. `npm start`, `npm run conformance -- <url>`),',
          'or install Node.js 24 LTS (https://nodejs.org/en/download, or `nvm install 24`).',
        ]
      : [
          `${bin} ${pkg.version} needs Node.js >= ${need.join('.')}; this is Node ${process.versions.node} (${process.execPath}).`,
          'Install Node.js 24 LTS (https://nodejs.org/en/download, or `nvm install 24`) and run it again,',
          `or run it once with Node 24 from npm: npx -p node@24 -p ${pkg.name} ${bin} ...`,
        ];
    process.stderr.write(`${lines.join('\n')}\n`);
    process.exit(exitCode);
  }
  return import(new URL(fromSource ? source : compiled, binUrl).href);
}
