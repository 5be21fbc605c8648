import { copyRange } from './bytes';
import { describeSource, MaskFormatError, MaskShapeError } from './errors';
import { gunzip, isGzip } from './gunzip';
import { type NiftiHeader, readNiftiHeader } from './nifti-header';
import type { Layout, NumericArray } from './normalise';

/** Raw voxels of a NIfTI volume, still in file order: voxel (i, j, k) at `i + I*j + I*J*k`. */
export interface NiftiVoxels {
  /** Axis sizes I, J, K (K = 1 for 2-D files). */
  dims: [number, number, number];
  values: NumericArray;
  /** Scaling to apply, or undefined when `scl_slope` is 0 or not finite (NIfTI-1 rule, as nibabel). */
  slope: number | undefined;
  inter: number;
  /** True when `values` is in a buffer this package allocated. */
  owned: boolean;
  version: 1 | 2;
}

export interface DataType {
  name: string;
  bytes: number;
  make: (buffer: ArrayBuffer, offset: number, length: number) => NumericArray;
}

const DATATYPES: Record<number, DataType> = {
  2: { name: 'UINT8', bytes: 1, make: (b, o, n) => new Uint8Array(b, o, n) },
  4: { name: 'INT16', bytes: 2, make: (b, o, n) => new Int16Array(b, o, n) },
  8: { name: 'INT32', bytes: 4, make: (b, o, n) => new Int32Array(b, o, n) },
  16: { name: 'FLOAT32', bytes: 4, make: (b, o, n) => new Float32Array(b, o, n) },
  64: { name: 'FLOAT64', bytes: 8, make: (b, o, n) => new Float64Array(b, o, n) },
  256: { name: 'INT8', bytes: 1, make: (b, o, n) => new Int8Array(b, o, n) },
  512: { name: 'UINT16', bytes: 2, make: (b, o, n) => new Uint16Array(b, o, n) },
  768: { name: 'UINT32', bytes: 4, make: (b, o, n) => new Uint32Array(b, o, n) },
  1024: { name: 'INT64', bytes: 8, make: (b, o, n) => new BigInt64Array(b, o, n) },
  1280: { name: 'UINT64', bytes: 8, make: (b, o, n) => new BigUint64Array(b, o, n) },
};
const UNSUPPORTED: Record<number, string> = {
  0: 'UNKNOWN',
  1: 'BINARY',
  32: 'COMPLEX64',
  128: 'RGB24',
  1536: 'FLOAT128',
  1792: 'COMPLEX128',
  2048: 'COMPLEX256',
  2304: 'RGBA32',
};

const PLATFORM_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True when `bytes` (already decompressed) start with a NIfTI-1 or NIfTI-2 header of either byte order. */
export function niftiVersion(bytes: Uint8Array): 1 | 2 | undefined {
  if (bytes.length < 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = [view.getInt32(0, true), view.getInt32(0, false)];
  if (size.includes(348) && bytes.length >= 348) return 1;
  if (size.includes(540) && bytes.length >= 540) return 2;
  return undefined;
}

export interface ReadNiftiOptions {
  file?: string;
  /** The `.img` of a `.hdr`/`.img` pair (gzipped or not). */
  image?: Uint8Array;
  /** True when `bytes` was allocated by this package (e.g. decompressed), so views into it may be kept. */
  owned?: boolean;
  /** Replacement gzip decompressor (see ReadMaskOptions.gunzip). */
  gunzip?: (gzip: Uint8Array) => Uint8Array;
}

/** Decompresses with the caller's gunzip when given (wrapping its errors), else with ours. */
function decompressGzip(bytes: Uint8Array, options: ReadNiftiOptions): Uint8Array {
  if (options.gunzip === undefined) return gunzip(bytes, options.file);
  let out: Uint8Array;
  try {
    out = options.gunzip(bytes);
  } catch (error) {
    throw new MaskFormatError(
      `${describeSource(options.file, 'gzip data')}: decompression failed (${error instanceof Error ? error.message : String(error)})`,
      { file: options.file, field: 'gzip' },
      { cause: error },
    );
  }
  if (!(out instanceof Uint8Array)) {
    throw new MaskFormatError('the gunzip option must return a Uint8Array', {
      file: options.file,
      field: 'gunzip',
    });
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Parses the header with {@link readNiftiHeader} and slices the voxels, checking every field it uses. */
export function readNifti(bytes: Uint8Array, options: ReadNiftiOptions = {}): NiftiVoxels {
  const file = options.file;
  const what = describeSource(file, 'NIfTI');
  let owned = options.owned ?? false;
  if (isGzip(bytes)) {
    bytes = decompressGzip(bytes, options);
    owned = true;
  }
  const version = niftiVersion(bytes);
  if (version === undefined) {
    throw new MaskFormatError(`${what} is neither PNG nor NIfTI: sizeof_hdr is not 348 or 540`, {
      file,
      field: 'sizeof_hdr',
      value: bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset).getInt32(0, true) : undefined,
    });
  }
  const headerSize = version === 1 ? 348 : 540;
  const magicAt = version === 1 ? 344 : 4;
  const magic = String.fromCharCode(...bytes.subarray(magicAt, magicAt + 3));
  const header = readNiftiHeader(bytes);
  if (header === undefined) {
    throw new MaskFormatError(
      `${what}: magic is ${JSON.stringify(magic)}, expected "n+${version}" or "ni${version}"`,
      {
        file,
        field: 'magic',
        value: magic,
      },
    );
  }
  const pair = !header.singleFile;
  const {
    dims: [I, J, K],
    type,
  } = checkMaskHeader(header, what, file);

  let data = bytes;
  if (pair) {
    if (options.image === undefined) {
      throw new MaskFormatError(
        `${what} is the header of a .hdr/.img pair (magic "ni${version}"); pass the .img bytes as the image option`,
        { file, field: 'magic', value: magic },
      );
    }
    data = isGzip(options.image) ? decompressGzip(options.image, options) : options.image;
    owned = data !== options.image;
  } else if (options.image !== undefined) {
    throw new MaskFormatError(
      `${what} is a single-file NIfTI (magic "n+${version}"); the image option is only for .hdr/.img pairs`,
      {
        file,
        field: 'image',
      },
    );
  }

  const offset = header.voxOffset;
  const minOffset = pair ? 0 : headerSize;
  if (!Number.isSafeInteger(offset) || offset < minOffset) {
    throw new MaskFormatError(`${what}: vox_offset is ${offset}, expected an integer >= ${minOffset}`, {
      file,
      field: 'vox_offset',
      value: offset,
    });
  }
  const count = I * J * K;
  const needed = count * type.bytes;
  if (offset + needed > data.length) {
    throw new MaskFormatError(
      `${what} is truncated: ${I}x${J}x${K} ${type.name} voxels need ${needed} bytes at offset ${offset}, only ${Math.max(0, data.length - offset)} present`,
      { file, field: 'vox_offset', value: data.length },
    );
  }

  const slope = header.slope;
  const scaled = Number.isFinite(slope) && slope !== 0;
  return {
    dims: [I, J, K],
    values: voxelArray(data, offset, count, type, header.littleEndian),
    slope: scaled ? slope : undefined,
    inter: scaled && Number.isFinite(header.inter) ? header.inter : 0,
    owned,
    version,
  };
}

function voxelArray(
  data: Uint8Array,
  offset: number,
  count: number,
  type: DataType,
  littleEndian: boolean,
): NumericArray {
  const start = data.byteOffset + offset;
  if (type.bytes === 1 || (littleEndian === PLATFORM_LITTLE_ENDIAN && start % type.bytes === 0)) {
    return type.make(data.buffer as ArrayBuffer, start, count);
  }
  const copy = copyRange(data, offset, offset + count * type.bytes);
  if (littleEndian !== PLATFORM_LITTLE_ENDIAN) {
    const w = type.bytes;
    for (let p = 0; p < copy.length; p += w) {
      for (let a = p, b = p + w - 1; a < b; a++, b--) {
        const t = copy[a];
        copy[a] = copy[b];
        copy[b] = t;
      }
    }
  }
  return type.make(copy.buffer, 0, count);
}

/** Where output (column, row, frame) reads from NIfTI voxel order, per the SDK's inverted flag (spec §2.2). */
export function niftiLayout(dims: [number, number, number], transpose: boolean): Layout {
  const [I, J, K] = dims;
  return transpose
    ? { width: J, height: I, frames: K, colStride: I, rowStride: 1, frameStride: I * J }
    : { width: I, height: J, frames: K, colStride: 1, rowStride: I, frameStride: I * J };
}

export function describeVoxel(dims: [number, number, number]): (index: number) => string {
  const [I, J] = dims;
  return (index) => `voxel (${index % I}, ${Math.floor(index / I) % J}, ${Math.floor(index / (I * J))})`;
}

/**
 * The checks of a NIfTI mask's fixed header that need no voxels: rank, sizes (0 read as 1), at most
 * three axes beyond size 1, a supported datatype and its bitpix. Returns the three axes and the
 * datatype; throws the MaskError `readMask` would throw. Shared by `readNifti` and `maskGeometry`, so
 * a planner sizing a mask from its header refuses what reading it would refuse.
 */
export function checkMaskHeader(
  header: NiftiHeader,
  what: string,
  file: string | undefined,
): { dims: [number, number, number]; type: DataType } {
  const rank = header.rank;
  if (!Number.isInteger(rank) || rank < 1 || rank > 7) {
    throw new MaskFormatError(`${what}: dim[0] is ${rank}, expected 1..7`, {
      file,
      field: 'dim[0]',
      value: rank,
    });
  }
  const dims: number[] = [];
  for (let d = 1; d <= rank; d++) {
    const stored = header.dims[d - 1]!;
    const size = stored === 0 ? 1 : stored;
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new MaskFormatError(`${what}: dim[${d}] is ${stored}, expected a positive size`, {
        file,
        field: `dim[${d}]`,
        value: stored,
      });
    }
    dims.push(size);
  }
  if (rank === 1) {
    throw new MaskShapeError(`${what} is 1-D (dim[1]=${dims[0]}); a mask needs at least 2 axes`, {
      file,
      field: 'dim[0]',
      value: 1,
    });
  }
  for (let d = 4; d <= rank; d++) {
    if (dims[d - 1] !== 1) {
      throw new MaskShapeError(
        `${what} is ${rank}-D with dim[${d}]=${dims[d - 1]}; only 2-D, 3-D and volumes whose axes beyond the 3rd have size 1 are masks`,
        { file, field: `dim[${d}]`, value: dims[d - 1] },
      );
    }
  }
  const [I = 1, J = 1] = dims;
  const K = rank >= 3 ? (dims[2] ?? 1) : 1;

  const type = DATATYPES[header.datatype];
  if (type === undefined) {
    const name = UNSUPPORTED[header.datatype] ?? 'unknown';
    throw new MaskFormatError(
      `${what}: datatype ${header.datatype} (${name}) is not supported; masks must be integer or float voxels`,
      { file, field: 'datatype', value: header.datatype },
    );
  }
  if (header.bitpix !== type.bytes * 8) {
    throw new MaskFormatError(
      `${what}: bitpix is ${header.bitpix} but datatype ${type.name} has ${type.bytes * 8} bits`,
      { file, field: 'bitpix', value: header.bitpix },
    );
  }
  return { dims: [I, J, K], type };
}
