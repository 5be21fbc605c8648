import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { type NiftiHeader, readNiftiHeader } from '@datamint/segmentation';

/** The fields of a single-file NIfTI-1/NIfTI-2 header the server needs to describe and render a volume. */
export type { NiftiHeader };

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses the header of a single-file NIfTI (`n+1` / `n+2`) with the project's one header reader
 * (`@datamint/segmentation`); undefined for anything else, including a `.hdr` of a pair and a header
 * whose dimension count is not 1..7.
 */
export function parseNiftiHeader(bytes: Uint8Array): NiftiHeader | undefined {
  const header = readNiftiHeader(bytes);
  if (header === undefined || !header.singleFile || header.dims.length === 0) return undefined;
  return { ...header, voxOffset: Math.floor(header.voxOffset) };
}

/**
 * Voxel → world (RAS, mm) affine, 4 × 4, as NIfTI readers resolve it: the sform when its code is
 * set, else the qform (quaternion, voxel sizes, qfac), else the voxel sizes alone.
 */
export function niftiAffine(h: NiftiHeader): number[][] {
  const last = [0, 0, 0, 1];
  if (h.sformCode > 0) return [...h.srow.map((row) => [...row]), last];
  const [dx = 1, dy = 1, dz = 1] = h.pixdim.slice(1, 4).map((v) => (v > 0 ? v : 1));
  if (h.qformCode <= 0) {
    return [[dx, 0, 0, 0], [0, dy, 0, 0], [0, 0, dz, 0], last];
  }
  let [b, c, d] = h.quaternion;
  let a2 = 1 - (b * b + c * c + d * d);
  if (a2 < 1e-7) {
    // The NIfTI rule for a quaternion that is not quite unit length: a = 0, (b, c, d) renormalised.
    const n = Math.hypot(b, c, d);
    [b, c, d] = [b / n, c / n, d / n];
    a2 = 0;
  }
  const a = Math.sqrt(a2);
  const qfac = h.pixdim[0] !== undefined && h.pixdim[0] < 0 ? -1 : 1;
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  return [...r.map((row, i) => [row[0]! * dx, row[1]! * dy, row[2]! * dz * qfac, h.qoffset[i]!]), last];
}

/**
 * The geometry keys the platform's clients read from a NIfTI resource's `metadata` to place
 * annotations: `dims` = `[ndim, n1, n2, …]`, `pixDims`, `affine`, and the codes they came from.
 */
export function niftiMetadata(h: NiftiHeader): Record<string, number | number[] | number[][]> {
  return {
    dims: [h.dims.length, ...h.dims],
    pixDims: h.pixdim,
    affine: niftiAffine(h),
    datatype: h.datatype,
    qformCode: h.qformCode,
    sformCode: h.sformCode,
    voxOffset: h.voxOffset,
  };
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

/** Bytes per voxel of a scalar datatype; undefined for the ones the server does not read. */
export function niftiVoxelSize(datatype: number): number | undefined {
  return READERS[datatype]?.size;
}

/** Bytes from the start of the file to the end of the voxel data the header declares. */
export function niftiDeclaredBytes(h: NiftiHeader): number {
  const { columns, rows, frames } = niftiShape(h);
  return Math.max(0, h.voxOffset) + columns * rows * frames * (niftiVoxelSize(h.datatype) ?? 1);
}

/**
 * Reads voxel `i` (storage order) of a decoded single-file NIfTI as its scaled value; undefined when
 * the data is shorter than the header says. Values are read on demand: a copy as float64 would take
 * eight times the voxel data's memory.
 */
export function niftiVoxelReader(bytes: Uint8Array, h: NiftiHeader): ((i: number) => number) | undefined {
  const reader = READERS[h.datatype];
  if (!reader) return undefined;
  const { columns, rows, frames } = niftiShape(h);
  const count = columns * rows * frames;
  if (h.voxOffset < 0 || h.voxOffset + count * reader.size > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scale = h.slope !== 0 && Number.isFinite(h.slope);
  const inter = Number.isFinite(h.inter) ? h.inter : 0;
  return (i) => {
    const raw = reader.read(view, h.voxOffset + i * reader.size, h.littleEndian);
    return scale ? raw * h.slope + inter : raw;
  };
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
