import { describe, expect, it } from 'vitest';
import { precisionOf } from '../src/codecs/encode-jpeg-ls';
import type { PixelLayout } from '../src/codecs/pixel-layout';

/** The rule, one sample at a time: BitsStored when every sample fits in it, else BitsAllocated. */
function reference(frame: Uint8Array, bitsAllocated: number, bitsStored: number): number {
  const stored = Math.max(2, bitsStored);
  if (stored >= bitsAllocated) return bitsAllocated;
  const step = bitsAllocated / 8;
  for (let i = 0; i + step <= frame.length; i += step) {
    const sample = step === 2 ? frame[i]! | (frame[i + 1]! << 8) : frame[i]!;
    if (sample >= 2 ** stored) return bitsAllocated;
  }
  return stored;
}

const layoutOf = (bitsAllocated: number, bitsStored: number) =>
  ({ bitsAllocated, bitsStored }) as unknown as PixelLayout;

describe('JPEG-LS sample precision', () => {
  it('agrees with a sample-by-sample scan at every offset, length and place of a high sample', () => {
    let checked = 0;
    for (const [allocated, stored] of [
      [16, 12],
      [16, 15],
      [16, 16],
      [16, 1],
      [8, 6],
      [8, 8],
    ] as const) {
      const step = allocated / 8;
      for (const length of [0, 2, 4, 6, 8, 10, 14, 70_000]) {
        // Every start within a word, odd ones included for 16-bit samples.
        for (let offset = 0; offset < 4; offset++) {
          const places = [undefined, 0, step, length - step, length >> 1, 4 * 4096 + 8].filter(
            (p) => p === undefined || (p >= 0 && p + step <= length && p % step === 0),
          );
          for (const place of places) {
            const backing = new Uint8Array(length + 8);
            const frame = backing.subarray(offset, offset + length);
            // Every sample at the largest value that fits in BitsStored...
            const fits = 2 ** Math.max(2, stored) - 1;
            for (let i = 0; i + step <= length; i += step) {
              frame[i] = fits & 0xff;
              if (step === 2) frame[i + 1] = fits >> 8;
            }
            // ...but one, which has the lowest bit above it.
            if (place !== undefined && stored < allocated) {
              const high = 2 ** Math.max(2, stored);
              frame[place] = high & 0xff;
              if (step === 2) frame[place + 1] = (high >> 8) & 0xff;
            }
            expect(
              precisionOf(frame, layoutOf(allocated, stored)),
              `${allocated}/${stored} ${length}@${offset} ${place}`,
            ).toBe(reference(frame, allocated, stored));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('declares BitsStored for a plain 12-bit frame and BitsAllocated when one sample carries sign bits', () => {
    const frame = new Uint8Array(new Uint16Array([0, 4095, 100, 2048]).buffer);
    expect(precisionOf(frame, layoutOf(16, 12))).toBe(12);
    const signed = new Uint8Array(new Int16Array([0, -1, 100, 2048]).buffer);
    expect(precisionOf(signed, layoutOf(16, 12))).toBe(16);
  });
});
