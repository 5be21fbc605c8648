import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MASK_HEADER_BYTES, maskGeometry, readMask, writeNifti } from '../src/index';
import { DATA_DIR, hasSharedData } from './helpers';

const hasData = hasSharedData();

/** Every real PNG and single-file NIfTI of the shared data, by path relative to it. */
function realMasks(): string[] {
  const under = (dir: string, test: (name: string) => boolean) =>
    readdirSync(join(DATA_DIR, dir))
      .filter(test)
      .map((name) => join(dir, name));
  return [
    ...under('png/masks', (n) => n.endsWith('.png')),
    ...under('png/pngsuite', (n) => n.endsWith('.png')),
    ...under('nifti', (n) => /\.nii(\.gz)?$/.test(n)),
  ];
}

describe.skipIf(!hasData)('maskGeometry agrees with readMask on real files', () => {
  const files = hasData ? realMasks() : [];
  it('covers PNGs and NIfTI volumes', () => {
    expect(files.filter((f) => f.endsWith('.png')).length).toBeGreaterThan(10);
    expect(files.filter((f) => f.includes('.nii')).length).toBeGreaterThan(8);
  });

  it.each(files)('%s, as read and transposed', (file) => {
    const bytes = new Uint8Array(readFileSync(join(DATA_DIR, file)));
    const plain = bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes;
    const head = plain.subarray(0, MASK_HEADER_BYTES);
    for (const transpose of [false, true]) {
      let volume: ReturnType<typeof readMask> | undefined;
      try {
        volume = readMask(bytes, { transpose, fileName: file });
      } catch {
        // A file readMask refuses (RGB, 5-D, broken) still has a size in its header; nothing to compare.
        continue;
      }
      expect(maskGeometry(head, transpose), `transpose ${transpose}`).toEqual({
        width: volume.width,
        height: volume.height,
        frames: volume.frames,
      });
    }
  });
});

describe('maskGeometry on bytes that are not a mask header', () => {
  it.each([
    ['nothing', new Uint8Array(0)],
    ['a PNG signature alone', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['text', new TextEncoder().encode('not a mask at all, just some text that is long enough')],
    ['a NIfTI-1 header cut short', new Uint8Array(200).fill(0)],
  ])('%s: undefined', (_name, head) => {
    expect(maskGeometry(head)).toBeUndefined();
  });

  it('reads a PNG whose first chunk is not IHDR as no size', () => {
    const head = new Uint8Array(24);
    head.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x44, 0x41, 0x54]);
    expect(maskGeometry(head)).toBeUndefined();
  });
});

describe('maskGeometry refuses what readMask refuses from the header', () => {
  /** A NIfTI-1 header of `dims` (uint8), its dim[0] the number of dims, with its voxels. */
  function nifti(dims: number[]): Uint8Array {
    const voxels = dims.reduce((n, d) => n * Math.max(1, d), 1);
    const bytes = writeNifti({ data: new Uint8Array(4 * 5 * 6), shape: [4, 5, 6] });
    const out = new Uint8Array(352 + voxels);
    out.set(bytes.subarray(0, 352));
    const view = new DataView(out.buffer);
    view.setInt16(40, dims.length, true);
    for (let d = 0; d < 7; d++) view.setInt16(42 + 2 * d, dims[d] ?? 1, true);
    return out;
  }

  it.each([
    ['a 4-D volume with 3 time points', [4, 5, 6, 3], /4-D with dim\[4\]=3/],
    ['a negative size', [4, -5, 6], /dim\[2\] is -5/],
    ['a 1-D volume', [4], /1-D/],
  ])('%s', (_what, dims, message) => {
    const bytes = nifti(dims);
    expect(() => readMask(bytes)).toThrow(message);
    expect(() => maskGeometry(bytes.subarray(0, MASK_HEADER_BYTES), false, 'm.nii')).toThrow(message);
  });

  it('reads a size of 0 as 1, as readMask does', () => {
    const bytes = nifti([4, 5, 0]);
    expect(maskGeometry(bytes.subarray(0, MASK_HEADER_BYTES))).toEqual({ width: 4, height: 5, frames: 1 });
    expect(readMask(bytes).frames).toBe(1);
  });
});
