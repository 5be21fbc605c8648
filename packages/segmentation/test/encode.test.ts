import { inflateSync } from 'node:zlib';
import { decode } from 'fast-png';
import { unzlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { encodeMaskPng, MaskShapeError, readMask } from '../src/index';
import { pngChunks, prng } from './helpers';

type Pattern = 'empty' | 'full' | 'random' | 'sparse' | 'blobs' | 'stripes';

function makeMask(width: number, height: number, pattern: Pattern, rnd: () => number): Uint8Array {
  const m = new Uint8Array(width * height);
  const cx = width * rnd();
  const cy = height * rnd();
  const r = Math.max(width, height) * (0.1 + 0.4 * rnd());
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      switch (pattern) {
        case 'empty':
          break;
        case 'full':
          m[i] = 1;
          break;
        case 'random':
          m[i] = rnd() < 0.5 ? 1 : 0;
          break;
        case 'sparse':
          m[i] = rnd() < 0.01 ? 1 : 0;
          break;
        case 'blobs':
          m[i] = (x - cx) ** 2 + (y - cy) ** 2 < r * r ? 1 : 0;
          break;
        case 'stripes':
          m[i] = Math.floor(x / 3 + y / 7) % 2;
          break;
      }
    }
  }
  return m;
}

function idat(png: Uint8Array): Uint8Array {
  const parts = pngChunks(png).filter((c) => c.type === 'IDAT');
  return Buffer.concat(parts.map((c) => c.data));
}

describe('encodeMaskPng', () => {
  const rnd = prng(20261126);
  const sizes: Array<[number, number]> = [
    [1, 1],
    [1, 7],
    [7, 1],
    [2, 2],
    [3, 5],
    [17, 13],
    [86, 1],
    [87, 3],
    [100, 100],
    [255, 3],
    [512, 512],
    [1000, 7],
    [3, 1000],
  ];
  const patterns: Pattern[] = ['empty', 'full', 'random', 'sparse', 'blobs', 'stripes'];
  for (const [width, height] of sizes) {
    for (const pattern of patterns) {
      it(`round-trips a ${width}x${height} ${pattern} mask through fast-png, node:zlib and readMask`, () => {
        const mask = makeMask(width, height, pattern, rnd);
        const png = encodeMaskPng({ width, height, data: mask });
        // Exactly the Python SDK's format: 8-bit RGB (colour type 2), no palette, no alpha.
        expect(pngChunks(png).map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
        const ihdr = pngChunks(png)[0].data;
        expect(Array.from(ihdr.subarray(8))).toEqual([8, 2, 0, 0, 0]);
        const img = decode(png);
        expect([img.width, img.height, img.channels, img.depth]).toEqual([width, height, 3, 8]);
        const expected = new Uint8Array(width * height * 3);
        for (let i = 0; i < mask.length; i++) expected.fill(mask[i] ? 255 : 0, 3 * i, 3 * i + 3);
        expect(Buffer.from(img.data as Uint8Array).equals(Buffer.from(expected))).toBe(true);
        // Real zlib (strict about codes and Adler-32) and fflate agree on the scanlines.
        const scanlines = new Uint8Array(inflateSync(idat(png)));
        expect(Buffer.from(unzlibSync(idat(png))).equals(Buffer.from(scanlines))).toBe(true);
        expect(scanlines.length).toBe(height * (1 + 3 * width));
        // Decoding gives back exactly the binary frame.
        const back = readMask(png, { channel: 0 });
        expect(Array.from(back.data, (v) => (v ? 1 : 0))).toEqual(Array.from(mask));
      });
    }
  }

  for (const [width, height] of sizes) {
    it(`gray: a ${width}x${height} mask is an 8-bit grayscale PNG of 0/255 that fast-png and node:zlib read back`, () => {
      const mask = makeMask(width, height, 'blobs', rnd);
      mask[0] = 1;
      const png = encodeMaskPng({ width, height, data: mask }, { colour: 'gray' });
      expect(Array.from(pngChunks(png)[0].data.subarray(8))).toEqual([8, 0, 0, 0, 0]);
      const img = decode(png);
      expect([img.width, img.height, img.channels, img.depth]).toEqual([width, height, 1, 8]);
      expect(Array.from(img.data as Uint8Array)).toEqual(Array.from(mask, (v) => (v ? 255 : 0)));
      expect(new Uint8Array(inflateSync(idat(png))).length).toBe(height * (1 + width));
      expect(Array.from(readMask(png).data, (v) => (v ? 1 : 0))).toEqual(Array.from(mask));
    });
  }

  it('rejects an unknown colour with a MaskShapeError naming it', () => {
    expect(() => encodeMaskPng({ width: 1, height: 1, data: [1] }, { colour: 'rgba' as never })).toThrow(
      /colour must be "rgb" or "gray", got "rgba"/,
    );
  });

  it('treats any non-zero value as inside and is deterministic', () => {
    const data = new Uint16Array([0, 7, 300, 0, 65535, 0]);
    const a = encodeMaskPng({ width: 3, height: 2, data });
    const b = encodeMaskPng({ width: 3, height: 2, data: [0, 1, 1, 0, 1, 0] });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(encodeMaskPng({ width: 3, height: 2, data })).equals(Buffer.from(a))).toBe(true);
  });

  it('handles runs far longer than a deflate match', () => {
    const width = 100_000;
    const mask = new Uint8Array(width);
    mask.fill(1, 10, 99_990);
    const img = decode(encodeMaskPng({ width, height: 1, data: mask }));
    expect(img.data[29]).toBe(0);
    expect(img.data[30]).toBe(255);
    expect(img.data[3 * 99_990 - 1]).toBe(255);
    expect(img.data[3 * 99_990]).toBe(0);
  });

  it('compresses blank 512x512 frames to about a kilobyte', () => {
    const png = encodeMaskPng({ width: 512, height: 512, data: new Uint8Array(512 * 512) });
    expect(png.length).toBeLessThan(1200);
  });

  it('rejects bad geometry with MaskShapeError', () => {
    expect(() => encodeMaskPng({ width: 2, height: 2, data: [1, 0, 1] })).toThrow(MaskShapeError);
    expect(() => encodeMaskPng({ width: 0, height: 2, data: [] })).toThrow(/width/);
    expect(() => encodeMaskPng({ width: 1.5, height: 2, data: [1, 0, 1] })).toThrow(MaskShapeError);
  });
});
