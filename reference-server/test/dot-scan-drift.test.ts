/**
 * The semantic scan's WebAssembly (search/vector-slab.ts) is generated from search/dot-scan.wat: recompiling the
 * source with wabt (the version pinned in package.json) must give exactly the bytes the server embeds.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import wabtInit from 'wabt';
import { DOT_SCAN_WASM } from '../src/search/vector-slab.ts';

test('dot-scan.wat compiles to the bytes vector-slab.ts embeds', async () => {
  const wabt = await wabtInit();
  const source = readFileSync(new URL('../src/search/dot-scan.wat', import.meta.url), 'utf8');
  const parsed = wabt.parseWat('dot-scan.wat', source, { simd: true });
  try {
    const { buffer } = parsed.toBinary({});
    expect(Buffer.from(buffer).toString('base64')).toBe(DOT_SCAN_WASM);
  } finally {
    parsed.destroy();
  }
});
