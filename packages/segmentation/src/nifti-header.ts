/**
 * The fixed header of a NIfTI-1 or NIfTI-2 file (either byte order), as one plain object. The one NIfTI
 * header reader of the project: masks (`readMask`), the client's NIfTI downloads and the local server's
 * inspection and rendering all read headers through it.
 */
export interface NiftiHeader {
  /** 1 for NIfTI-1 (348-byte header), 2 for NIfTI-2 (540 bytes). */
  version: 1 | 2;
  /** The byte order of the file. */
  littleEndian: boolean;
  /** `true` for a single file (`n+1` / `n+2`), `false` for the header of a `.hdr`/`.img` pair (`ni1` / `ni2`). */
  singleFile: boolean;
  /** The magic as found (`n+1`, `ni1`, `n+2`, `ni2`). */
  magic: string;
  /** `dim[0]`, the number of used dimensions, as stored (valid files have 1..7). */
  rank: number;
  /** `dim[1..rank]`: width, height, slices, then time points and beyond (empty when `rank` is out of 1..7). */
  dims: number[];
  /** The NIfTI datatype code (2 uint8, 4 int16, 16 float32, ...). */
  datatype: number;
  /** Bits per voxel (`bitpix`), which must agree with `datatype`. */
  bitpix: number;
  /** Byte offset of the voxels in the file (for a pair: in the `.img`). */
  voxOffset: number;
  /** `scl_slope`; 0 or not finite means no scaling. */
  slope: number;
  /** `scl_inter`. */
  inter: number;
  /** `pixdim[0..7]`: `pixdim[0]` is qfac (its sign flips the third qform axis), then the voxel sizes. */
  pixdim: number[];
  /** `qform_code`. */
  qformCode: number;
  /** `sform_code`. */
  sformCode: number;
  /** `quatern_b`, `quatern_c`, `quatern_d`. */
  quaternion: [number, number, number];
  /** `qoffset_x`, `qoffset_y`, `qoffset_z`. */
  qoffset: [number, number, number];
  /** `srow_x`, `srow_y`, `srow_z`: the sform's first three rows. */
  srow: [number[], number[], number[]];
}

const NIFTI1_SIZE = 348;
const NIFTI2_SIZE = 540;

/** Where each version keeps the fields a pair's header changes to become a single file's. */
const LAYOUT = {
  1: { size: NIFTI1_SIZE, magicAt: 344, voxOffsetAt: 108 },
  2: { size: NIFTI2_SIZE, magicAt: 4, voxOffsetAt: 168 },
} as const;

function magicAt(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!);
}

/**
 * Reads the fixed header of an uncompressed NIfTI-1/NIfTI-2 file (gunzip `.nii.gz` first). Returns
 * `undefined` when `bytes` is not one: `sizeof_hdr` is not 348 or 540 in either byte order, the buffer
 * is shorter than the header, or the magic is not `n+1`/`ni1` (`n+2`/`ni2`). The values are returned
 * as stored; callers check what they need (rank, sizes, datatype). Extensions and voxels are not read,
 * so a crafted extension size cannot make it loop or allocate.
 * @example
 * ```ts
 * import { readNiftiHeader } from '@datamint/segmentation';
 *
 * const bytes = new Uint8Array(352);
 * const view = new DataView(bytes.buffer);
 * view.setInt32(0, 348, true); // sizeof_hdr
 * [3, 64, 64, 20].forEach((d, i) => view.setInt16(40 + 2 * i, d, true)); // dim[0..3]
 * view.setInt16(70, 2, true); // datatype: uint8
 * view.setInt16(72, 8, true); // bitpix
 * view.setFloat32(108, 352, true); // vox_offset
 * bytes.set([0x6e, 0x2b, 0x31], 344); // "n+1"
 * console.log(readNiftiHeader(bytes)?.dims); // [64, 64, 20]
 * ```
 */
export function readNiftiHeader(bytes: Uint8Array): NiftiHeader | undefined {
  if (bytes.length < NIFTI1_SIZE) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizeLE = view.getInt32(0, true);
  const littleEndian = sizeLE === NIFTI1_SIZE || sizeLE === NIFTI2_SIZE;
  const size = littleEndian ? sizeLE : view.getInt32(0, false);
  if (size === NIFTI1_SIZE) return nifti1(bytes, view, littleEndian);
  if (size === NIFTI2_SIZE && bytes.length >= NIFTI2_SIZE) return nifti2(bytes, view, littleEndian);
  return undefined;
}

// Plain loops and direct reads: this runs for every NIfTI the server inspects or renders a slice of.
function floats32(view: DataView, offset: number, count: number, le: boolean): number[] {
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, le);
  return out;
}

function floats64(view: DataView, offset: number, count: number, le: boolean): number[] {
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, le);
  return out;
}

function nifti1(bytes: Uint8Array, view: DataView, le: boolean): NiftiHeader | undefined {
  const magic = magicAt(bytes, LAYOUT[1].magicAt);
  if (magic !== 'n+1' && magic !== 'ni1') return undefined;
  const rank = view.getInt16(40, le);
  const used = rank >= 1 && rank <= 7 ? rank : 0;
  const dims = new Array<number>(used);
  for (let i = 0; i < used; i++) dims[i] = view.getInt16(42 + 2 * i, le);
  return {
    version: 1,
    littleEndian: le,
    singleFile: magic === 'n+1',
    magic,
    rank,
    dims,
    datatype: view.getInt16(70, le),
    bitpix: view.getInt16(72, le),
    voxOffset: view.getFloat32(LAYOUT[1].voxOffsetAt, le),
    slope: view.getFloat32(112, le),
    inter: view.getFloat32(116, le),
    pixdim: floats32(view, 76, 8, le),
    qformCode: view.getInt16(252, le),
    sformCode: view.getInt16(254, le),
    quaternion: [view.getFloat32(256, le), view.getFloat32(260, le), view.getFloat32(264, le)],
    qoffset: [view.getFloat32(268, le), view.getFloat32(272, le), view.getFloat32(276, le)],
    srow: [floats32(view, 280, 4, le), floats32(view, 296, 4, le), floats32(view, 312, 4, le)],
  };
}

function nifti2(bytes: Uint8Array, view: DataView, le: boolean): NiftiHeader | undefined {
  const magic = magicAt(bytes, LAYOUT[2].magicAt);
  if (magic !== 'n+2' && magic !== 'ni2') return undefined;
  const rank = Number(view.getBigInt64(16, le));
  const used = rank >= 1 && rank <= 7 ? rank : 0;
  const dims = new Array<number>(used);
  for (let i = 0; i < used; i++) dims[i] = Number(view.getBigInt64(24 + 8 * i, le));
  return {
    version: 2,
    littleEndian: le,
    singleFile: magic === 'n+2',
    magic,
    rank,
    dims,
    datatype: view.getInt16(12, le),
    bitpix: view.getInt16(14, le),
    voxOffset: Number(view.getBigInt64(LAYOUT[2].voxOffsetAt, le)),
    slope: view.getFloat64(176, le),
    inter: view.getFloat64(184, le),
    pixdim: floats64(view, 104, 8, le),
    qformCode: view.getInt32(344, le),
    sformCode: view.getInt32(348, le),
    quaternion: [view.getFloat64(352, le), view.getFloat64(360, le), view.getFloat64(368, le)],
    qoffset: [view.getFloat64(376, le), view.getFloat64(384, le), view.getFloat64(392, le)],
    srow: [floats64(view, 400, 4, le), floats64(view, 432, 4, le), floats64(view, 464, 4, le)],
  };
}

/**
 * True when `bytes` start with an Analyze 7.5 header: the 348-byte header NIfTI-1 grew from, without
 * NIfTI's magic. Its `.hdr`/`.img` pairs leave the orientation and some fields to the reader's
 * guess, so they are told apart from NIfTI pairs rather than read as one.
 */
export function isAnalyzeHeader(bytes: Uint8Array): boolean {
  if (bytes.length < NIFTI1_SIZE || readNiftiHeader(bytes) !== undefined) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getInt32(0, true) === NIFTI1_SIZE || view.getInt32(0, false) === NIFTI1_SIZE;
}

/**
 * The start of the single-file NIfTI a `.hdr`/`.img` pair makes: the pair's fixed header with its
 * magic `ni1`/`ni2` made `n+1`/`n+2` and `vox_offset` pointing just past it, then four zero bytes
 * (no extensions follow). Append the voxels of the `.img` (from its own `vox_offset`) to get the
 * `.nii`. Both fields are written in the header's byte order; every other field is kept as it is.
 * Extensions stored after the `.hdr`'s fixed header are not carried over, which keeps `vox_offset`
 * the smallest a single file allows. `undefined` when `bytes` (uncompressed) is not a pair's header.
 * @example
 * ```ts
 * import { pairHeaderToSingleFile } from '@datamint/segmentation';
 *
 * // `hdr` and `img`: the two files' bytes, gunzipped.
 * function joinPair(hdr: Uint8Array, img: Uint8Array): Uint8Array | undefined {
 *   const start = pairHeaderToSingleFile(hdr); // 352 bytes for NIfTI-1, 544 for NIfTI-2
 *   if (start === undefined) return undefined;
 *   const nii = new Uint8Array(start.length + img.length); // the .img's vox_offset taken as 0
 *   nii.set(start);
 *   nii.set(img, start.length);
 *   return nii;
 * }
 * ```
 */
export function pairHeaderToSingleFile(bytes: Uint8Array): Uint8Array | undefined {
  const header = readNiftiHeader(bytes);
  if (header === undefined || header.singleFile) return undefined;
  const { size, magicAt: at, voxOffsetAt } = LAYOUT[header.version];
  // The fixed header, then the four bytes that say whether extensions follow: all zero, none do.
  const out = new Uint8Array(size + 4);
  out.set(bytes.subarray(0, size));
  const view = new DataView(out.buffer);
  // `ni1` → `n+1`: the second byte of the magic is all that differs.
  out[at + 1] = 0x2b;
  if (header.version === 1) view.setFloat32(voxOffsetAt, out.length, header.littleEndian);
  else view.setBigInt64(voxOffsetAt, BigInt(out.length), header.littleEndian);
  return out;
}
