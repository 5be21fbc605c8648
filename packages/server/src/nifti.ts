import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/** The fields of a single-file NIfTI-1/NIfTI-2 header the server needs to describe and render a volume. */
export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  /** dim[1..dim[0]]: width, height, slices, then time points and beyond. */
  dims: number[];
  datatype: number;
  voxOffset: number;
  slope: number;
  inter: number;
}

const NIFTI1_SIZE = 348;
const NIFTI2_SIZE = 540;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parses the header of a single-file NIfTI (`n+1` / `n+2`); undefined for anything else. */
export function parseNiftiHeader(bytes: Uint8Array): NiftiHeader | undefined {
  if (bytes.length < NIFTI1_SIZE) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const littleEndian of [true, false]) {
    const size = view.getInt32(0, littleEndian);
    if (size === NIFTI1_SIZE) {
      const magic = String.fromCharCode(bytes[344], bytes[345], bytes[346]);
      if (magic !== 'n+1') return undefined;
      const rank = view.getInt16(40, littleEndian);
      if (rank < 1 || rank > 7) return undefined;
      const dims = Array.from({ length: rank }, (_, i) => view.getInt16(42 + i * 2, littleEndian));
      return {
        version: 1,
        littleEndian,
        dims,
        datatype: view.getInt16(70, littleEndian),
        voxOffset: Math.floor(view.getFloat32(108, littleEndian)),
        slope: view.getFloat32(112, littleEndian),
        inter: view.getFloat32(116, littleEndian),
      };
    }
    if (size === NIFTI2_SIZE && bytes.length >= NIFTI2_SIZE) {
      const magic = String.fromCharCode(bytes[4], bytes[5], bytes[6]);
      if (magic !== 'n+2') return undefined;
      const rank = Number(view.getBigInt64(16, littleEndian));
      if (rank < 1 || rank > 7) return undefined;
      const dims = Array.from({ length: rank }, (_, i) => Number(view.getBigInt64(24 + i * 8, littleEndian)));
      return {
        version: 2,
        littleEndian,
        dims,
        datatype: view.getInt16(12, littleEndian),
        voxOffset: Number(view.getBigInt64(168, littleEndian)),
        slope: view.getFloat64(176, littleEndian),
        inter: view.getFloat64(184, littleEndian),
      };
    }
  }
  return undefined;
}

/** Width, height and number of 2-D slices (every slice of every volume, in storage order). */
export function niftiShape(h: NiftiHeader): { columns: number; rows: number; frames: number } {
  const [columns = 1, rows = 1, ...rest] = h.dims.map((d) => Math.max(1, d));
  return { columns, rows, frames: rest.reduce((a, b) => a * b, 1) };
}

/** The first `length` bytes of a file, gunzipped when it is gzip (for headers of `.nii.gz`). */
export async function readDecodedHead(path: string, length: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  const raw = createReadStream(path, { end: 65535 });
  const first = await new Promise<Buffer>((resolve, reject) => {
    raw.once('data', (c) => resolve(c as Buffer));
    raw.once('error', reject);
    raw.once('end', () => resolve(Buffer.alloc(0)));
  });
  raw.destroy();
  if (!isGzip(first)) return new Uint8Array(first.subarray(0, length));
  const gunzip = createGunzip();
  const source = createReadStream(path);
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= length) break;
    }
  } catch {
    // A corrupt or truncated stream: whatever was decoded is all there is.
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  return new Uint8Array(Buffer.concat(chunks).subarray(0, length));
}

const READERS: Record<number, { size: number; read: (v: DataView, at: number, le: boolean) => number }> = {
  2: { size: 1, read: (v, at) => v.getUint8(at) },
  4: { size: 2, read: (v, at, le) => v.getInt16(at, le) },
  8: { size: 4, read: (v, at, le) => v.getInt32(at, le) },
  16: { size: 4, read: (v, at, le) => v.getFloat32(at, le) },
  64: { size: 8, read: (v, at, le) => v.getFloat64(at, le) },
  256: { size: 1, read: (v, at) => v.getInt8(at) },
  512: { size: 2, read: (v, at, le) => v.getUint16(at, le) },
  768: { size: 4, read: (v, at, le) => v.getUint32(at, le) },
  1024: { size: 8, read: (v, at, le) => Number(v.getBigInt64(at, le)) },
  1280: { size: 8, read: (v, at, le) => Number(v.getBigUint64(at, le)) },
};

export function niftiDatatypeSupported(datatype: number): boolean {
  return datatype in READERS;
}

/** Every voxel of a decoded single-file NIfTI as scaled values, in storage order; undefined when short. */
export function niftiVoxels(bytes: Uint8Array, h: NiftiHeader): Float64Array | undefined {
  const reader = READERS[h.datatype];
  if (!reader) return undefined;
  const { columns, rows, frames } = niftiShape(h);
  const count = columns * rows * frames;
  if (h.voxOffset < 0 || h.voxOffset + count * reader.size > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scale = h.slope !== 0 && Number.isFinite(h.slope);
  const inter = Number.isFinite(h.inter) ? h.inter : 0;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const raw = reader.read(view, h.voxOffset + i * reader.size, h.littleEndian);
    out[i] = scale ? raw * h.slope + inter : raw;
  }
  return out;
}

/**
 * Slice `frame` (storage order) of a decoded single-file NIfTI as scaled values, plus the
 * volume-wide min/max so every slice of a volume is rendered on the same scale.
 */
export function niftiSlice(
  bytes: Uint8Array,
  h: NiftiHeader,
  frame: number,
): { columns: number; rows: number; values: Float64Array; min: number; max: number } | undefined {
  const reader = READERS[h.datatype];
  if (!reader) return undefined;
  const { columns, rows, frames } = niftiShape(h);
  const perSlice = columns * rows;
  const count = perSlice * frames;
  if (h.voxOffset < 0 || h.voxOffset + count * reader.size > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scale = h.slope !== 0 && Number.isFinite(h.slope);
  const value = (i: number) => {
    const raw = reader.read(view, h.voxOffset + i * reader.size, h.littleEndian);
    return scale ? raw * h.slope + (Number.isFinite(h.inter) ? h.inter : 0) : raw;
  };
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const v = value(i);
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const values = new Float64Array(perSlice);
  for (let i = 0; i < perSlice; i++) values[i] = value(frame * perSlice + i);
  return { columns, rows, values, min, max };
}
