import { type ParsedDicom, parseDicom } from '@datamint/dicom';
import { decode as decodePng } from 'fast-png';
import * as nifti from 'nifti-reader-js';
import { DecodeError } from './errors';

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

function typedVoxels(buffer: ArrayBuffer, code: number, littleEndian: boolean): NiftiData {
  const T = nifti.NIFTI1;
  const table: Record<number, [new (b: ArrayBuffer) => NiftiData, number]> = {
    [T.TYPE_UINT8]: [Uint8Array, 1],
    [T.TYPE_INT8]: [Int8Array, 1],
    [T.TYPE_INT16]: [Int16Array, 2],
    [T.TYPE_UINT16]: [Uint16Array, 2],
    [T.TYPE_INT32]: [Int32Array, 4],
    [T.TYPE_UINT32]: [Uint32Array, 4],
    [T.TYPE_FLOAT32]: [Float32Array, 4],
    [T.TYPE_FLOAT64]: [Float64Array, 8],
    [T.TYPE_RGB24]: [Uint8Array, 1],
  };
  const entry = table[code];
  if (!entry) throw new Error(`unsupported NIfTI datatype code ${code}`);
  const [Ctor, size] = entry;
  const copy = buffer.slice(0, buffer.byteLength - (buffer.byteLength % size));
  if (!littleEndian && size > 1) {
    const bytes = new Uint8Array(copy);
    for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  }
  return new Ctor(copy);
}

export function decodeNifti(bytes: Uint8Array, what: string): NiftiVolume {
  try {
    let buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    if (nifti.isCompressed(buffer)) buffer = nifti.decompress(buffer) as ArrayBuffer;
    if (!nifti.isNIFTI(buffer)) throw new Error('no NIfTI-1/2 header');
    const header = nifti.readHeader(buffer);
    const rank = header.dims[0] ?? 0;
    if (rank < 1 || rank > 7) throw new Error(`invalid dimension count ${rank}`);
    const shape = header.dims.slice(1, rank + 1);
    const image = nifti.readImage(header, buffer);
    return {
      shape,
      spacing: header.pixDims.slice(1, rank + 1),
      datatypeCode: header.datatypeCode,
      scaleSlope: header.scl_slope,
      scaleIntercept: header.scl_inter,
      data: typedVoxels(image, header.datatypeCode, header.littleEndian),
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
