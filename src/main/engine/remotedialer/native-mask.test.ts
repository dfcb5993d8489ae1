import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// ws masks every frame a client sends with bufferutil when it loads, and silently
// falls back to a byte-by-byte JavaScript loop when it does not. The tunnels'
// throughput toward Rancher depends on it, so a platform without the prebuilt
// addon should fail here rather than quietly run a quarter slower.
describe('WebSocket masking', () => {
  it("uses bufferutil's native mask, which XORs like the JavaScript one", () => {
    const bufferutil = createRequire(import.meta.url)('bufferutil') as {
      mask(source: Buffer, mask: Buffer, output: Buffer, offset: number, length: number): void;
    };
    expect(bufferutil.mask.toString()).toContain('[native code]');
    const source = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
    const output = Buffer.alloc(104);
    bufferutil.mask(source, key, output, 4, source.length);
    expect([...output.subarray(4)]).toEqual([...source].map((b, i) => b ^ (key[i % 4] as number)));
  });
});
