import { gunzipSync } from 'node:zlib';
import { type ParsedDicom, parseDicom } from '@datamint/dicom';
import { readNiftiHeader } from '@datamint/segmentation';
import { decode as decodePng } from 'fast-png';
import { DecodeError } from './errors';

const PLATFORM_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A decoded raster image (PNG). Samples are interleaved, row-major. */
export interface DecodedImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (palettes are expanded to RGB/RGBA). */
  channels: number;
  /** Bits per sample. */
  depth: 8 | 16;
  /** The samples: `width * height * channels` of them, `Uint16Array` when `depth` is 16. */
  data: Uint8Array | Uint16Array;
}

/** The voxel array of a NIfTI volume, typed by its datatype (RGB24 comes as bytes). */
export type NiftiData =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** A NIfTI-1/2 volume: voxels in file order (x fastest), native-endian, scaling not applied. */
export interface NiftiVolume {
  /** Sizes of the used dimensions, e.g. `[x, y, z]`. */
  shape: number[];
  /** Voxel sizes along `shape`. */
  spacing: number[];
  /** The NIfTI datatype code (2 uint8, 4 int16, 16 float32, ...). */
  datatypeCode: number;
  /** `scl_slope`/`scl_inter`; a slope of 0 means no scaling. */
  scaleSlope: number;
  /** `scl_inter`: real value = stored * `scaleSlope` + `scaleIntercept` when the slope is not 0. */
  scaleIntercept: number;
  /** The voxels. */
  data: NiftiData;
}

/** What `downloadResourceFile({autoConvert: true})` decoded. */
export type Converted =
  | {
      /** `application/dicom`. */
      kind: 'dicom';
      /** The parsed dataset. */
      dicom: ParsedDicom;
    }
  | {
      /** `image/png`. */
      kind: 'image';
      /** The decoded pixels. */
      image: DecodedImage;
    }
  | {
      /** A NIfTI mimetype. */
      kind: 'nifti';
      /** The decoded volume. */
      volume: NiftiVolume;
    }
  | {
      /** `application/json`. */
      kind: 'json';
      /** The parsed JSON. */
      value: unknown;
    }
  | {
      /** No decoder for this mimetype (JPEG, video, unknown), or `autoConvert: false`: use `bytes`. */
      kind: 'raw';
    };

export const NIFTI_MIMETYPES: readonly string[] = ['application/x-nifti', 'application/nifti', 'image/nifti'];

export function decodeImage(bytes: Uint8Array, what: string): DecodedImage {
  try {
    const png = decodePng(bytes);
    let data = png.data as Uint8Array | Uint16Array;
    let channels = png.channels;
    if (png.palette) {
      // Expand palette indices so callers always get samples.
      const palette = png.palette;
      const width = palette[0]?.length ?? 3;
      const out = new Uint8Array(png.width * png.height * width);
      for (let i = 0; i < png.width * png.height; i++) {
        const entry = palette[(png.data as Uint8Array)[i]!] ?? [];
        for (let c = 0; c < width; c++) out[i * width + c] = entry[c] ?? 0;
      }
      data = out;
      channels = width;
    }
    return {
      width: png.width,
      height: png.height,
      channels,
      depth: png.depth === 16 ? 16 : 8,
      data,
    };
  } catch (error) {
    throw new DecodeError(what, 'image/png', error);
  }
}

type VoxelArrayType = new (buffer: ArrayBuffer) => NiftiData;

/** NIfTI datatype code → the typed array of its samples, bytes per sample and samples per voxel. */
const VOXEL_TYPES: Record<number, [VoxelArrayType, number, number]> = {
  2: [Uint8Array, 1, 1],
  256: [Int8Array, 1, 1],
  4: [Int16Array, 2, 1],
  512: [Uint16Array, 2, 1],
  8: [Int32Array, 4, 1],
  768: [Uint32Array, 4, 1],
  16: [Float32Array, 4, 1],
  64: [Float64Array, 8, 1],
  // RGB24: three bytes per voxel.
  128: [Uint8Array, 1, 3],
};

/**
 * Decodes a single-file NIfTI-1/2 (`.nii`, or gzipped): the header through `@datamint/segmentation`'s
 * `readNiftiHeader` (the project's one NIfTI header reader), the voxels copied into a native-endian array.
 */
export function decodeNifti(bytes: Uint8Array, what: string): NiftiVolume {
  try {
    const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes;
    const header = readNiftiHeader(raw);
    if (!header) throw new Error('no NIfTI-1/2 header');
    if (!header.singleFile)
      throw new Error(`magic ${header.magic}: a .hdr/.img pair, not a single .nii file`);
    if (header.dims.length === 0) throw new Error(`invalid dimension count ${header.rank}`);
    const entry = VOXEL_TYPES[header.datatype];
    if (!entry) throw new Error(`unsupported NIfTI datatype code ${header.datatype}`);
    const [Ctor, size, perVoxel] = entry;
    const offset = Math.floor(header.voxOffset);
    const length = header.dims.reduce((a, b) => a * b, 1) * size * perVoxel;
    if (!Number.isSafeInteger(length) || length < 0 || offset < 0 || offset + length > raw.length) {
      throw new Error(
        `truncated: ${header.dims.join('x')} voxels need ${length} bytes at offset ${offset}, the file has ${raw.length}`,
      );
    }
    const copy = raw.slice(offset, offset + length);
    if (header.littleEndian !== PLATFORM_LITTLE_ENDIAN && size > 1) {
      for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
    }
    return {
      shape: header.dims,
      spacing: header.pixdim.slice(1, header.dims.length + 1),
      datatypeCode: header.datatype,
      scaleSlope: header.slope,
      scaleIntercept: header.inter,
      data: new Ctor(copy.buffer),
    };
  } catch (error) {
    throw new DecodeError(what, 'application/x-nifti', error);
  }
}

/** Decodes by mimetype; unknown types come back as `{kind: 'raw'}`. */
export function convert(bytes: Uint8Array, mimetype: string | null, what: string): Converted {
  const type = (mimetype ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/dicom') {
    try {
      return { kind: 'dicom', dicom: parseDicom(bytes) };
    } catch (error) {
      throw new DecodeError(what, type, error);
    }
  }
  if (type === 'image/png') return { kind: 'image', image: decodeImage(bytes, what) };
  if (NIFTI_MIMETYPES.includes(type)) return { kind: 'nifti', volume: decodeNifti(bytes, what) };
  if (type === 'application/json') {
    try {
      return { kind: 'json', value: JSON.parse(new TextDecoder().decode(bytes)) };
    } catch (error) {
      throw new DecodeError(what, type, error);
    }
  }
  return { kind: 'raw' };
}
