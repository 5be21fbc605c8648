import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { MaskError, MaskFormatError, readMask } from '../src/index';
import { assemblePng, buildGrayPng, DATA_DIR, hasSharedData, pngChunks } from './helpers';

/**
 * Label samples per the Pillow/SDK rules (spec §5.2), computed from fast-png's decode. fast-png leaves
 * sub-byte samples packed, so they are unpacked here; Pillow then reads 1-bit gray as 0/1, scales
 * 2/4-bit gray to 0..255 and keeps palette indices.
 */
function oracle(bytes: Uint8Array): { width: number; height: number; channels: number; planes: number[][] } {
  const img = decode(bytes);
  const palette = img.palette !== undefined;
  const { width, height, channels } = img;
  const planes: number[][] = Array.from({ length: channels }, () => []);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let v: number;
        if (img.depth < 8) {
          const bit = x * img.depth;
          const byte = img.data[y * Math.ceil((width * img.depth) / 8) + (bit >> 3)];
          v = (byte >> (8 - img.depth - (bit & 7))) & ((1 << img.depth) - 1);
          if (!palette && img.depth > 1) v *= 255 / ((1 << img.depth) - 1);
        } else {
          v = img.data[(y * width + x) * channels + c];
        }
        planes[c].push(v);
      }
    }
  }
  return { width, height, channels, planes };
}

const shared = hasSharedData();

describe.skipIf(!shared)('every PNG under ../shared/data/png matches fast-png', () => {
  const dirs = ['pngsuite', 'masks'];
  for (const dir of dirs) {
    const files = shared ? readdirSync(join(DATA_DIR, 'png', dir)).filter((f) => f.endsWith('.png')) : [];
    for (const file of files) {
      it(`${dir}/${file}`, () => {
        const bytes = new Uint8Array(readFileSync(join(DATA_DIR, 'png', dir, file)));
        const expected = oracle(bytes);
        if (expected.channels > 1) {
          expect(() => readMask(bytes, { fileName: file })).toThrow(MaskFormatError);
          expect(() => readMask(bytes, { fileName: file })).toThrow(/channel/);
        }
        for (let c = 0; c < expected.channels; c++) {
          const volume = readMask(bytes, { fileName: file, channel: expected.channels > 1 ? c : undefined });
          expect([volume.width, volume.height, volume.frames]).toEqual([expected.width, expected.height, 1]);
          expect(Array.from(volume.data)).toEqual(expected.planes[c]);
          // Transposed: row x, column y.
          const t = readMask(bytes, { transpose: true, channel: expected.channels > 1 ? c : undefined });
          expect([t.width, t.height]).toEqual([expected.height, expected.width]);
          for (let y = 0; y < expected.height; y++) {
            for (let x = 0; x < expected.width; x++) {
              if (t.data[x * expected.height + y] !== expected.planes[c][y * expected.width + x]) {
                throw new Error(`transposed mismatch at x=${x} y=${y}`);
              }
            }
          }
        }
      });
    }
  }

  it('keeps 16-bit labels 16-bit and wraps them only when asked', () => {
    const bytes = new Uint8Array(readFileSync(join(DATA_DIR, 'png/pngsuite/basn0g16.png')));
    const expected = oracle(bytes).planes[0];
    const volume = readMask(bytes);
    expect(volume.data).toBeInstanceOf(Uint16Array);
    expect(Math.max(...volume.data)).toBe(Math.max(...expected));
    const wrapped = readMask(bytes, { wrap: true });
    expect(wrapped.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(wrapped.data)).toEqual(expected.map((v) => v % 256));
  });

  for (const file of shared ? readdirSync(join(DATA_DIR, 'png/broken')) : []) {
    it(`rejects broken/${file} with MaskFormatError`, () => {
      const bytes = new Uint8Array(readFileSync(join(DATA_DIR, 'png/broken', file)));
      expect(() => readMask(bytes, { fileName: file })).toThrow(MaskFormatError);
      expect(() => readMask(bytes, { fileName: file })).toThrow(file);
    });
  }
});

describe('PNG corruption is detected', () => {
  const good = buildGrayPng({
    width: 20,
    height: 10,
    depth: 8,
    samples: Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? 3 : 0)),
  });

  it('reads the good file', () => {
    expect([...readMask(good).labels()]).toEqual([3]);
  });

  it('rejects a flipped bit anywhere after the signature (CRC or structure)', () => {
    for (let i = 8; i < good.length; i++) {
      const bad = good.slice();
      bad[i] ^= 0x10;
      expect(() => readMask(bad, { fileName: `flip-${i}.png` }), `byte ${i}`).toThrow(MaskError);
    }
  });

  it('names the chunk and the CRC in the message', () => {
    const chunks = pngChunks(good);
    const idatAt = 8 + 25;
    const bad = good.slice();
    bad[idatAt + 10] ^= 1;
    expect(chunks[1].type).toBe('IDAT');
    expect(() => readMask(bad, { fileName: 'x.png' })).toThrow(/"x.png".*CRC mismatch in chunk "IDAT"/);
  });

  it('rejects every truncation', () => {
    for (let n = 0; n < good.length; n++) {
      expect(() => readMask(good.subarray(0, n)), `length ${n}`).toThrow(MaskError);
    }
  });

  it('rejects a truncated IDAT even when its CRC is valid', () => {
    const chunks = pngChunks(good);
    const idat = chunks.find((c) => c.type === 'IDAT');
    if (idat === undefined) throw new Error('no IDAT');
    for (const cut of [1, 5, idat.data.length - 5]) {
      const short = assemblePng(
        chunks.map((c) => (c === idat ? { type: 'IDAT', data: c.data.subarray(0, cut) } : c)),
      );
      expect(() => readMask(short), `cut ${cut}`).toThrow(MaskFormatError);
    }
  });

  it('rejects a PNG without IEND', () => {
    const chunks = pngChunks(good).filter((c) => c.type !== 'IEND');
    expect(() => readMask(assemblePng(chunks))).toThrow(/IEND/);
  });

  it('rejects image data longer than IHDR describes', () => {
    const taller = buildGrayPng({ width: 20, height: 11, depth: 8, samples: new Array(220).fill(1) });
    const chunks = pngChunks(taller);
    chunks[0] = pngChunks(good)[0];
    expect(() => readMask(assemblePng(chunks))).toThrow(/decompresses to/);
  });
});

describe('PNG sample depths and interlacing', () => {
  const width = 13;
  const height = 11;
  for (const depth of [1, 2, 4, 8, 16] as const) {
    for (const palette of depth === 16 ? [false] : [false, true]) {
      for (const interlace of [false, true]) {
        const kind = `${palette ? 'palette' : 'gray'} ${depth}-bit${interlace ? ' interlaced' : ''}`;
        it(kind, () => {
          const max = (1 << depth) - 1;
          const samples = Array.from({ length: width * height }, (_, i) => (i * 7 + (i >> 3)) % (max + 1));
          const png = buildGrayPng({
            width,
            height,
            depth,
            samples,
            palette,
            interlace,
            filters: [0, 1, 2, 3, 4],
          });
          // Pillow: 1-bit gray is 0/1, 2/4-bit gray is scaled to 8 bits, palette values are indices.
          const scale = palette || depth === 1 || depth >= 8 ? 1 : 255 / max;
          expect(Array.from(readMask(png).data)).toEqual(samples.map((s) => s * scale));
          if (!interlace) expect(Array.from(readMask(png).data)).toEqual(oracle(png).planes[0]);
        });
      }
    }
  }
});

describe('PNG size sanity', () => {
  it('rejects an IHDR far larger than its IDAT could hold, without allocating for it', () => {
    const small = buildGrayPng({ width: 4, height: 4, depth: 8, samples: new Array(16).fill(0) });
    const chunks = pngChunks(small);
    const ihdr = chunks[0].data.slice();
    new DataView(ihdr.buffer).setUint32(0, 20000);
    new DataView(ihdr.buffer).setUint32(4, 20000);
    expect(() => readMask(assemblePng([{ type: 'IHDR', data: ihdr }, ...chunks.slice(1)]))).toThrow(
      /IHDR needs 400020000 bytes/,
    );
    new DataView(ihdr.buffer).setUint32(0, 0x7fffffff);
    expect(() => readMask(assemblePng([{ type: 'IHDR', data: ihdr }, ...chunks.slice(1)]))).toThrow(
      /more than/,
    );
  });
});
