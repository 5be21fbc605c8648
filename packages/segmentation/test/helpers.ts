import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync, zlibSync } from 'fflate';
import { ADAM7_PASSES } from '../src/read-png';

/** `<repo>/../shared/data`, the shared real test files (never copied into the repository). */
export const DATA_DIR = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

/**
 * True when the shared data is present. Absent data skips with a visible message locally, but is a
 * failure under CI=true so CI can never pass by skipping.
 */
export function hasSharedData(): boolean {
  if (existsSync(DATA_DIR)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`shared test data not found at ${DATA_DIR}; CI must run with ../shared/data present`);
  }
  console.warn(`[segmentation] SKIPPING real-file tests: ${DATA_DIR} not found`);
  return false;
}

/** Deterministic PRNG (mulberry32) so fuzz failures reproduce from the seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type NiftiType =
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'float32'
  | 'float64'
  | 'int64'
  | 'uint64';

const TYPE_INFO: Record<NiftiType, { code: number; bytes: number }> = {
  uint8: { code: 2, bytes: 1 },
  int16: { code: 4, bytes: 2 },
  int32: { code: 8, bytes: 4 },
  float32: { code: 16, bytes: 4 },
  float64: { code: 64, bytes: 8 },
  int8: { code: 256, bytes: 1 },
  uint16: { code: 512, bytes: 2 },
  uint32: { code: 768, bytes: 4 },
  int64: { code: 1024, bytes: 8 },
  uint64: { code: 1280, bytes: 8 },
};

export interface NiftiSpec {
  version?: 1 | 2;
  /** dim[1..]: e.g. [4, 3, 2] or [4, 3, 2, 1]. */
  dims: number[];
  type: NiftiType;
  /** Voxels in file order (i fastest). */
  values: ArrayLike<number | bigint>;
  littleEndian?: boolean;
  slope?: number;
  inter?: number;
  gzip?: boolean;
}

/** Writes a NIfTI-1/2 single file ("n+1"/"n+2") from scratch, following the header layout field by field. */
export function writeNifti(spec: NiftiSpec): Uint8Array {
  const { header, image } = niftiParts(spec, false);
  const out = new Uint8Array(header.length + image.length);
  out.set(header);
  out.set(image, header.length);
  return spec.gzip ? gzipSync(out) : out;
}

/** Writes a `.hdr`/`.img` pair ("ni1"/"ni2"), vox_offset 0. */
export function writeNiftiPair(spec: NiftiSpec): { hdr: Uint8Array; img: Uint8Array } {
  const { header, image } = niftiParts(spec, true);
  return spec.gzip ? { hdr: gzipSync(header), img: gzipSync(image) } : { hdr: header, img: image };
}

function niftiParts(spec: NiftiSpec, pair: boolean): { header: Uint8Array; image: Uint8Array } {
  const version = spec.version ?? 1;
  const le = spec.littleEndian ?? true;
  const info = TYPE_INFO[spec.type];
  const headerSize = version === 1 ? 348 : 540;
  const voxOffset = pair ? 0 : headerSize + 4;
  const header = new Uint8Array(pair ? headerSize : voxOffset);
  const v = new DataView(header.buffer);
  v.setInt32(0, headerSize, le);
  const dims = [spec.dims.length, ...spec.dims];
  if (version === 1) {
    dims.forEach((d, i) => {
      v.setInt16(40 + 2 * i, d, le);
    });
    v.setInt16(70, info.code, le);
    v.setInt16(72, info.bytes * 8, le);
    for (let i = 0; i < 8; i++) v.setFloat32(76 + 4 * i, 1, le);
    v.setFloat32(108, voxOffset, le);
    v.setFloat32(112, spec.slope ?? 1, le);
    v.setFloat32(116, spec.inter ?? 0, le);
    header.set([0x6e, pair ? 0x69 : 0x2b, 0x31, 0], 344);
  } else {
    header.set([0x6e, pair ? 0x69 : 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a], 4);
    v.setInt16(12, info.code, le);
    v.setInt16(14, info.bytes * 8, le);
    dims.forEach((d, i) => {
      v.setBigInt64(16 + 8 * i, BigInt(d), le);
    });
    for (let i = 0; i < 8; i++) v.setFloat64(104 + 8 * i, 1, le);
    v.setBigInt64(168, BigInt(voxOffset), le);
    v.setFloat64(176, spec.slope ?? 1, le);
    v.setFloat64(184, spec.inter ?? 0, le);
  }
  const image = new Uint8Array(spec.values.length * info.bytes);
  const iv = new DataView(image.buffer);
  for (let n = 0; n < spec.values.length; n++) {
    const x = spec.values[n];
    const o = n * info.bytes;
    switch (spec.type) {
      case 'uint8':
        iv.setUint8(o, Number(x));
        break;
      case 'int8':
        iv.setInt8(o, Number(x));
        break;
      case 'int16':
        iv.setInt16(o, Number(x), le);
        break;
      case 'uint16':
        iv.setUint16(o, Number(x), le);
        break;
      case 'int32':
        iv.setInt32(o, Number(x), le);
        break;
      case 'uint32':
        iv.setUint32(o, Number(x), le);
        break;
      case 'float32':
        iv.setFloat32(o, Number(x), le);
        break;
      case 'float64':
        iv.setFloat64(o, Number(x), le);
        break;
      case 'int64':
        iv.setBigInt64(o, BigInt(x), le);
        break;
      case 'uint64':
        iv.setBigUint64(o, BigInt(x), le);
        break;
    }
  }
  return { header, image };
}

/** Chunk CRC for test-built PNGs, written independently of the package's own table code. */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export interface PngChunk {
  type: string;
  data: Uint8Array;
}

/** Assembles a PNG from chunks, with correct lengths and CRCs. */
export function assemblePng(chunks: PngChunk[]): Uint8Array {
  const size = 8 + chunks.reduce((s, c) => s + 12 + c.data.length, 0);
  const out = new Uint8Array(size);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(out.buffer);
  let o = 8;
  for (const { type, data } of chunks) {
    view.setUint32(o, data.length);
    const typed = new Uint8Array(4 + data.length);
    for (let i = 0; i < 4; i++) typed[i] = type.charCodeAt(i);
    typed.set(data, 4);
    out.set(typed, o + 4);
    view.setUint32(o + 8 + data.length, crc32(typed));
    o += 12 + data.length;
  }
  return out;
}

/** Splits a PNG into its chunks (no validation: test inputs are well-formed). */
export function pngChunks(png: Uint8Array): PngChunk[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: PngChunk[] = [];
  for (let o = 8; o + 12 <= png.length; ) {
    const length = view.getUint32(o);
    const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    chunks.push({ type, data: png.slice(o + 8, o + 8 + length) });
    o += 12 + length;
  }
  return chunks;
}

/**
 * A single-channel PNG (gray, or palette with a gray ramp) of `samples` (row-major, already in
 * 0..2^depth-1), optionally Adam7-interlaced, with filter type 0 rows.
 */
export function buildGrayPng(opts: {
  width: number;
  height: number;
  depth: 1 | 2 | 4 | 8 | 16;
  samples: ArrayLike<number>;
  palette?: boolean;
  interlace?: boolean;
  /** PNG filter types applied to successive scanlines, cycling (default: all 0). */
  filters?: number[];
}): Uint8Array {
  const { width, height, depth, samples } = opts;
  const passes = opts.interlace ? ADAM7_PASSES : [[0, 0, 1, 1]];
  const rows: number[] = [];
  const filters = opts.filters ?? [0];
  const bpp = depth === 16 ? 2 : 1;
  let line = 0;
  for (const [x0, y0, dx, dy] of passes) {
    if (x0 >= width || y0 >= height) continue;
    let previous: number[] | undefined;
    for (let y = y0; y < height; y += dy) {
      const bytes: number[] = [];
      let acc = 0;
      let bits = 0;
      for (let x = x0; x < width; x += dx) {
        const s = samples[y * width + x];
        if (depth === 16) bytes.push(s >> 8, s & 0xff);
        else if (depth === 8) bytes.push(s);
        else {
          acc = (acc << depth) | s;
          bits += depth;
          if (bits === 8) {
            bytes.push(acc);
            acc = 0;
            bits = 0;
          }
        }
      }
      if (bits > 0) bytes.push(acc << (8 - bits));
      const filter = filters[line++ % filters.length];
      rows.push(filter, ...filterRow(filter, bytes, previous, bpp));
      previous = bytes;
    }
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = depth;
  ihdr[9] = opts.palette ? 3 : 0;
  ihdr[12] = opts.interlace ? 1 : 0;
  const chunks: PngChunk[] = [{ type: 'IHDR', data: ihdr }];
  if (opts.palette) {
    const n = 1 << depth;
    const plte = new Uint8Array(3 * n);
    for (let i = 0; i < n; i++) plte.fill(Math.round((i * 255) / (n - 1)), 3 * i, 3 * i + 3);
    chunks.push({ type: 'PLTE', data: plte });
  }
  chunks.push(
    { type: 'IDAT', data: zlibSync(new Uint8Array(rows)) },
    { type: 'IEND', data: new Uint8Array(0) },
  );
  return assemblePng(chunks);
}

/** Applies PNG filter `type` to one scanline (RFC 2083 §6), given the previous unfiltered scanline. */
function filterRow(type: number, row: number[], previous: number[] | undefined, bpp: number): number[] {
  return row.map((x, i) => {
    const a = i >= bpp ? row[i - bpp] : 0;
    const b = previous ? previous[i] : 0;
    const c = previous && i >= bpp ? previous[i - bpp] : 0;
    let predictor = 0;
    if (type === 1) predictor = a;
    else if (type === 2) predictor = b;
    else if (type === 3) predictor = (a + b) >> 1;
    else if (type === 4) {
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    return (x - predictor) & 0xff;
  });
}
