import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  MaskFormatError,
  MaskShapeError,
  MaskValueError,
  type MaskVolume,
  readMask,
  readMaskAsync,
} from '../src/index';
import { DATA_DIR, hasSharedData, type NiftiType, writeNifti, writeNiftiPair } from './helpers';

interface HandDecoded {
  dims: number[];
  /** Voxel values in file order with scl_slope/scl_inter applied per the NIfTI rule. */
  values: number[];
}

/**
 * Second, independent NIfTI decoder: reads the header fields at their documented offsets with a DataView,
 * decompresses with node:zlib and converts every voxel itself.
 */
function handDecode(file: Uint8Array, image?: Uint8Array): HandDecoded {
  const bytes = file[0] === 0x1f && file[1] === 0x8b ? new Uint8Array(gunzipSync(file)) : file;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = v.getInt32(0, true) === 348 || v.getInt32(0, true) === 540;
  const nifti2 = v.getInt32(0, le) === 540;
  const dims: number[] = [];
  let datatype: number;
  let offset: number;
  let slope: number;
  let inter: number;
  if (nifti2) {
    datatype = v.getInt16(12, le);
    const rank = Number(v.getBigInt64(16, le));
    for (let d = 1; d <= rank; d++) dims.push(Number(v.getBigInt64(16 + 8 * d, le)));
    offset = Number(v.getBigInt64(168, le));
    slope = v.getFloat64(176, le);
    inter = v.getFloat64(184, le);
  } else {
    datatype = v.getInt16(70, le);
    const rank = v.getInt16(40, le);
    for (let d = 1; d <= rank; d++) dims.push(v.getInt16(40 + 2 * d, le));
    offset = v.getFloat32(108, le);
    slope = v.getFloat32(112, le);
    inter = v.getFloat32(116, le);
  }
  let data = v;
  if (image !== undefined) {
    const img = image[0] === 0x1f && image[1] === 0x8b ? new Uint8Array(gunzipSync(image)) : image;
    data = new DataView(img.buffer, img.byteOffset, img.byteLength);
  }
  const n = dims.reduce((a, b) => a * Math.max(b, 1), 1);
  const read: Record<number, [number, (o: number) => number]> = {
    2: [1, (o) => data.getUint8(o)],
    4: [2, (o) => data.getInt16(o, le)],
    8: [4, (o) => data.getInt32(o, le)],
    16: [4, (o) => data.getFloat32(o, le)],
    64: [8, (o) => data.getFloat64(o, le)],
    256: [1, (o) => data.getInt8(o)],
    512: [2, (o) => data.getUint16(o, le)],
    768: [4, (o) => data.getUint32(o, le)],
    1024: [8, (o) => Number(data.getBigInt64(o, le))],
    1280: [8, (o) => Number(data.getBigUint64(o, le))],
  };
  const [size, get] = read[datatype];
  const scaled = Number.isFinite(slope) && slope !== 0;
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const raw = get(offset + i * size);
    values.push(scaled ? raw * slope + inter : raw);
  }
  return { dims, values };
}

/** What readMask must do with a hand-decoded file: the error class, or the exact voxels. */
function expectMatches(volume: () => MaskVolume, transposed: () => MaskVolume, expected: HandDecoded): void {
  const { dims, values } = expected;
  if (dims.slice(3).some((d) => d > 1)) {
    expect(volume).toThrow(MaskShapeError);
    return;
  }
  if (values.some((x) => !Number.isInteger(x) || x < 0 || x > 0xffffffff)) {
    expect(volume).toThrow(MaskValueError);
    return;
  }
  const [I, J] = dims;
  const K = dims.length >= 3 ? dims[2] : 1;
  const plain = volume();
  expect([plain.width, plain.height, plain.frames]).toEqual([I, J, K]);
  const t = transposed();
  expect([t.width, t.height, t.frames]).toEqual([J, I, K]);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < J; j++) {
      for (let i = 0; i < I; i++) {
        const x = values[i + I * j + I * J * k];
        // Default: column i, row j. transpose: row i, column j (spec §2.2, inverted for NIfTI).
        if (plain.data[k * I * J + j * I + i] !== x || t.data[k * I * J + i * J + j] !== x) {
          throw new Error(`voxel (${i}, ${j}, ${k}) = ${x} but got ${plain.data[k * I * J + j * I + i]}`);
        }
      }
    }
  }
  const max = Math.max(...new Set(values));
  expect(plain.data.BYTES_PER_ELEMENT).toBe(max <= 255 ? 1 : max <= 65535 ? 2 : 4);
}

const shared = hasSharedData();

describe.skipIf(!shared)('every NIfTI under ../shared/data/nifti matches a hand decoder', () => {
  const files = shared
    ? readdirSync(join(DATA_DIR, 'nifti')).filter((f) => /\.(nii|nii\.gz|hdr\.gz)$/.test(f))
    : [];
  for (const file of files) {
    it(file, () => {
      const bytes = new Uint8Array(readFileSync(join(DATA_DIR, 'nifti', file)));
      const image = file.endsWith('.hdr.gz')
        ? new Uint8Array(readFileSync(join(DATA_DIR, 'nifti', file.replace('.hdr.gz', '.img.gz'))))
        : undefined;
      expectMatches(
        () => readMask(bytes, { fileName: file, image }),
        () => readMask(bytes, { fileName: file, image, transpose: true }),
        handDecode(bytes, image),
      );
    });
  }

  it('names the file, voxel and value when a float volume is not a label map', () => {
    const bytes = readFileSync(join(DATA_DIR, 'nifti/little.nii.gz'));
    expect(() => readMask(bytes, { fileName: 'little.nii.gz' })).toThrow(
      /"little.nii.gz".*voxel \(\d+, \d+, \d+\) = -?[\d.]+ is not an integer/,
    );
  });

  it('rejects the .img of a pair on its own and the .hdr without its .img', () => {
    const img = readFileSync(join(DATA_DIR, 'nifti/air.img.gz'));
    expect(() => readMask(img, { fileName: 'air.img.gz' })).toThrow(MaskFormatError);
    const hdr = readFileSync(join(DATA_DIR, 'nifti/air.hdr.gz'));
    expect(() => readMask(hdr, { fileName: 'air.hdr.gz' })).toThrow(
      /pass the \.img bytes as the image option/,
    );
  });

  it('rejects broken/not-nifti.nii with MaskFormatError', () => {
    const bytes = readFileSync(join(DATA_DIR, 'nifti/broken/not-nifti.nii'));
    expect(() => readMask(bytes, { fileName: 'not-nifti.nii' })).toThrow(MaskFormatError);
  });

  it('wraps like the Python SDK when asked (uint8 cast)', () => {
    const bytes = readFileSync(join(DATA_DIR, 'nifti/anatomical.nii'));
    const { values } = handDecode(new Uint8Array(bytes));
    const wrapped = readMask(bytes, { wrap: true });
    expect(wrapped.data).toBeInstanceOf(Uint8Array);
    expect(wrapped.data[0]).toBe((((values[0] % 256) + 256) % 256) | 0);
  });
});

describe('synthetic NIfTI: every datatype, byte order, version, container', () => {
  const dims = [5, 4, 3];
  const count = 60;
  const labels = Array.from({ length: count }, (_, n) => (n * 37) % 11);
  const types: NiftiType[] = [
    'uint8',
    'int8',
    'int16',
    'uint16',
    'int32',
    'uint32',
    'float32',
    'float64',
    'int64',
    'uint64',
  ];
  for (const type of types) {
    for (const version of [1, 2] as const) {
      for (const littleEndian of [true, false]) {
        for (const container of ['nii', 'nii.gz', 'pair', 'pair.gz'] as const) {
          it(`${type} NIfTI-${version} ${littleEndian ? 'LE' : 'BE'} .${container}`, () => {
            const spec = {
              version,
              dims,
              type,
              values: labels,
              littleEndian,
              gzip: container.endsWith('.gz'),
            };
            let bytes: Uint8Array;
            let image: Uint8Array | undefined;
            if (container.startsWith('pair')) {
              const pair = writeNiftiPair(spec);
              bytes = pair.hdr;
              image = pair.img;
            } else {
              bytes = writeNifti(spec);
            }
            expectMatches(
              () => readMask(bytes, { image }),
              () => readMask(bytes, { image, transpose: true }),
              handDecode(bytes, image),
            );
            expect(Array.from(readMask(bytes, { image }).data).slice(0, 6)).toEqual(labels.slice(0, 6));
          });
        }
      }
    }
  }

  it('keeps labels above 255 and picks the smallest array', () => {
    const u16 = readMask(writeNifti({ dims: [2, 2], type: 'int32', values: [0, 300, 65535, 1] }));
    expect(u16.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(u16.data)).toEqual([0, 300, 65535, 1]);
    const u32 = readMask(writeNifti({ dims: [2, 2], type: 'uint32', values: [0, 70000, 2, 1] }));
    expect(u32.data).toBeInstanceOf(Uint32Array);
    expect([...u32.labels()]).toEqual([1, 2, 70000]);
    const u8 = readMask(writeNifti({ dims: [2, 2], type: 'float64', values: [0, 255, 2, 1] }));
    expect(u8.data).toBeInstanceOf(Uint8Array);
  });

  it('applies scl_slope/scl_inter only when the slope is finite and non-zero', () => {
    const values = [0, 1, 2, 3];
    const scaled = readMask(writeNifti({ dims: [2, 2], type: 'uint8', values, slope: 2, inter: 1 }));
    expect(Array.from(scaled.data)).toEqual([1, 3, 5, 7]);
    for (const slope of [0, Number.NaN, Number.POSITIVE_INFINITY]) {
      const raw = readMask(writeNifti({ dims: [2, 2], type: 'uint8', values, slope, inter: 5 }));
      expect(Array.from(raw.data), `slope ${slope}`).toEqual(values);
    }
    const half = writeNifti({ dims: [2, 2], type: 'uint8', values, slope: 0.5 });
    expect(() => readMask(half)).toThrow(/raw 1 x scl_slope 0.5/);
    expect(Array.from(readMask(half, { wrap: true }).data)).toEqual([0, 0, 1, 1]);
  });

  it('rejects negative and oversized labels, and wraps them like numpy when asked', () => {
    const neg = writeNifti({ dims: [2, 2], type: 'int16', values: [0, -1, 257, 300] });
    expect(() => readMask(neg, { fileName: 'neg.nii' })).toThrow(
      /"neg.nii".*voxel \(1, 0, 0\) = -1 is negative/,
    );
    expect(Array.from(readMask(neg, { wrap: true }).data)).toEqual([0, 255, 1, 44]);
    const huge = writeNifti({ dims: [2, 1], type: 'int64', values: [0n, 2n ** 40n + 3n] });
    expect(() => readMask(huge)).toThrow(MaskValueError);
    expect(Array.from(readMask(huge, { wrap: true }).data)).toEqual([0, 3]);
  });

  it('accepts singleton axes beyond the 3rd and 2-D files; rejects 1-D and non-singleton 4-D', () => {
    const v4 = readMask(writeNifti({ dims: [2, 2, 2, 1], type: 'uint8', values: [1, 0, 0, 0, 0, 0, 0, 2] }));
    expect([v4.width, v4.height, v4.frames]).toEqual([2, 2, 2]);
    const v5 = readMask(writeNifti({ dims: [2, 1, 1, 1, 1], type: 'uint8', values: [1, 2] }));
    expect([v5.width, v5.height, v5.frames]).toEqual([2, 1, 1]);
    const v2 = readMask(writeNifti({ dims: [3, 2], type: 'uint8', values: [1, 2, 3, 4, 5, 6] }));
    expect([v2.width, v2.height, v2.frames]).toEqual([3, 2, 1]);
    expect(() => readMask(writeNifti({ dims: [4], type: 'uint8', values: [1, 2, 3, 4] }))).toThrow(/1-D/);
    expect(() => readMask(writeNifti({ dims: [1, 1, 1, 2], type: 'uint8', values: [1, 2] }))).toThrow(
      /4-D with dim\[4\]=2/,
    );
  });

  it('rejects unsupported datatypes naming the code', () => {
    const bytes = writeNifti({ dims: [2, 2], type: 'uint8', values: [0, 1, 2, 3] });
    new DataView(bytes.buffer).setInt16(70, 128, true); // RGB24
    expect(() => readMask(bytes, { fileName: 'rgb.nii' })).toThrow(/datatype 128 \(RGB24\)/);
  });

  it('rejects truncated .nii and .nii.gz with MaskFormatError', () => {
    const raw = writeNifti({ dims: [4, 4, 4], type: 'int16', values: new Array(64).fill(1) });
    const gz = writeNifti({ dims: [4, 4, 4], type: 'int16', values: new Array(64).fill(1), gzip: true });
    for (const n of [0, 10, 347, 352, raw.length - 1]) {
      expect(() => readMask(raw.subarray(0, n)), `nii ${n}`).toThrow(MaskFormatError);
    }
    for (let n = 0; n < gz.length; n++) {
      expect(() => readMask(gz.subarray(0, n)), `gz ${n}`).toThrow(MaskFormatError);
    }
    expect(() => readMask(raw.subarray(0, raw.length - 1), { fileName: 'cut.nii' })).toThrow(
      /"cut.nii" is truncated/,
    );
  });

  it('never modifies the caller’s bytes (byte swapping works on a copy)', () => {
    const bytes = writeNifti({ dims: [2, 2], type: 'int16', values: [0, 1, 2, 3], littleEndian: false });
    const before = bytes.slice();
    readMask(Buffer.from(bytes));
    readMask(bytes);
    expect(bytes).toEqual(before);
  });
});

describe('gunzip option', () => {
  const values = Array.from({ length: 24 }, (_, n) => n % 4);
  const gz = writeNifti({ dims: [4, 3, 2], type: 'uint8', values, gzip: true });

  it('uses the given decompressor (node:zlib) with the same result', () => {
    let calls = 0;
    const v = readMask(gz, {
      gunzip: (b) => {
        calls++;
        return gunzipSync(b);
      },
    });
    expect(calls).toBe(1);
    expect(Array.from(v.data)).toEqual(Array.from(readMask(gz).data));
  });

  it('wraps its errors and rejects non-Uint8Array results', () => {
    const cut = gz.subarray(0, gz.length - 10);
    expect(() => readMask(cut, { fileName: 'cut.nii.gz', gunzip: (b) => gunzipSync(b) })).toThrow(
      MaskFormatError,
    );
    expect(() => readMask(gz, { gunzip: () => [1, 2] as unknown as Uint8Array })).toThrow(
      /must return a Uint8Array/,
    );
  });
});

describe('readMaskAsync (native DecompressionStream)', () => {
  const values = Array.from({ length: 60 }, (_, n) => (n * 7) % 5);

  it('gives the same volume as readMask for .nii.gz, pairs and PNG', async () => {
    const gz = writeNifti({ dims: [5, 4, 3], type: 'int16', values, gzip: true, littleEndian: false });
    const a = await readMaskAsync(gz, { transpose: true });
    const b = readMask(gz, { transpose: true });
    expect([a.width, a.height, a.frames]).toEqual([b.width, b.height, b.frames]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const pair = writeNiftiPair({ dims: [5, 4, 3], type: 'uint8', values, gzip: true });
    expect(Array.from((await readMaskAsync(pair.hdr, { image: pair.img })).data)).toEqual(
      Array.from(readMask(pair.hdr, { image: pair.img }).data),
    );
    const plain = writeNifti({ dims: [5, 4, 3], type: 'uint8', values });
    expect(Array.from((await readMaskAsync(plain)).data)).toEqual(values.slice(0, 60));
  });

  it('rejects corrupt and truncated gzip with MaskFormatError', async () => {
    const gz = writeNifti({ dims: [5, 4, 3], type: 'uint8', values, gzip: true });
    for (const n of [3, 20, gz.length - 4, gz.length - 1]) {
      await expect(
        readMaskAsync(gz.subarray(0, n), { fileName: 'cut.nii.gz' }),
        `length ${n}`,
      ).rejects.toThrow(MaskFormatError);
    }
    const flipped = gz.slice();
    flipped[gz.length - 6] ^= 0xff; // CRC-32 trailer
    await expect(readMaskAsync(flipped)).rejects.toThrow(MaskFormatError);
  });
});

describe('target dimension check on NIfTI', () => {
  // I=4 columns, J=3 rows by default.
  const nii = writeNifti({ dims: [4, 3, 2], type: 'uint8', values: new Array(24).fill(0) });

  it('passes when Rows/Columns/NumberOfFrames match and names the mismatch otherwise', () => {
    expect(() => readMask(nii, { target: { rows: 3, columns: 4, frames: 2 } })).not.toThrow();
    expect(() => readMask(nii, { fileName: 'seg.nii', target: { rows: 4, columns: 3 } })).toThrow(
      /"seg.nii" \(4 columns x 3 rows x 2 frames\).*toggle the transpose option/,
    );
    expect(() => readMask(nii, { transpose: true, target: { rows: 4, columns: 3 } })).not.toThrow();
    expect(() => readMask(nii, { target: { frames: 3 } })).toThrow(MaskShapeError);
  });
});
