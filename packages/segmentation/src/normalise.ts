import { type MaskErrorContext, MaskValueError } from './errors';
import type { LabelArray } from './volume';

/** Any numeric array a mask may come from. */
export type NumericArray =
  | ArrayLike<number>
  | Uint8Array
  | Int8Array
  | Uint8ClampedArray
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/**
 * Where output element (column c, row r, frame f) comes from in the source:
 * `src[c * colStride + r * rowStride + f * frameStride]`.
 */
export interface Layout {
  width: number;
  height: number;
  frames: number;
  colStride: number;
  rowStride: number;
  frameStride: number;
}

export interface NormaliseOptions {
  /** NIfTI `scl_slope`/`scl_inter`, already filtered by the "finite and non-zero" rule. */
  slope?: number;
  inter?: number;
  /** Reproduce numpy's `astype(uint8)`: truncate toward zero, then modulo 256. */
  wrap?: boolean;
  /** Names source element `index` in messages, e.g. "voxel (3, 4, 0)". */
  describe: (index: number) => string;
  context: MaskErrorContext;
  /** True when `src` is a buffer this package allocated, so it may be returned without copying. */
  owned?: boolean;
}

const MAX_LABEL = 0xffffffff;

/** Converts raw values to labels (validated or wrapped), reordered into frame-contiguous layout. */
export function normaliseLabels(src: NumericArray, layout: Layout, options: NormaliseOptions): LabelArray {
  const count = layout.width * layout.height * layout.frames;
  const scaled = options.slope !== undefined && !(options.slope === 1 && (options.inter ?? 0) === 0);
  const slope = scaled ? (options.slope as number) : 1;
  const inter = scaled ? (options.inter ?? 0) : 0;

  if (src instanceof BigInt64Array || src instanceof BigUint64Array) {
    return normaliseBigInt(src, layout, slope, inter, options);
  }
  if (options.wrap) {
    const out = new Uint8Array(count);
    if (src.length !== count) {
      throw new MaskValueError(`expected ${count} values, got ${src.length}`, options.context);
    }
    gather(src, layout, out, (v) => wrapToUint8(v * slope + inter));
    return out;
  }

  const max = validate(src, count, slope, inter, scaled, options);
  const out = allocate(max, count);
  const identity =
    layout.colStride === 1 &&
    layout.rowStride === layout.width &&
    (layout.frames === 1 || layout.frameStride === layout.width * layout.height);

  if (!scaled && identity) {
    if (options.owned && src.constructor === out.constructor && src.length === count) {
      return src as LabelArray;
    }
    if (ArrayBuffer.isView(src)) {
      // Values were validated as in-range integers, so typed-array conversion is exact.
      out.set(src as unknown as ArrayLike<number>);
      return out;
    }
  }
  if (scaled) gather(src, layout, out, (v) => v * slope + inter);
  else gather(src, layout, out, undefined);
  return out;
}

function allocate(max: number, count: number): LabelArray {
  if (max <= 0xff) return new Uint8Array(count);
  if (max <= 0xffff) return new Uint16Array(count);
  return new Uint32Array(count);
}

/** numpy's float/int -> uint8 cast for in-range values; out-of-range floats are platform-defined there. */
function wrapToUint8(v: number): number {
  if (!Number.isFinite(v)) return 0;
  const t = Math.trunc(v) % 256;
  return t < 0 ? t + 256 : t;
}

/** Returns the maximum value; throws MaskValueError on the first value that cannot be a label. */
function validate(
  src: ArrayLike<number>,
  count: number,
  slope: number,
  inter: number,
  scaled: boolean,
  options: NormaliseOptions,
): number {
  if (src.length !== count) {
    throw new MaskValueError(`expected ${count} values, got ${src.length}`, options.context);
  }
  if (!scaled && src instanceof Uint8Array) return 0xff;
  const unsignedInt =
    src instanceof Uint8ClampedArray || src instanceof Uint16Array || src instanceof Uint32Array;
  let max = 0;
  if (!scaled && unsignedInt) {
    for (let i = 0; i < count; i++) if (src[i] > max) max = src[i];
    return max;
  }
  for (let i = 0; i < count; i++) {
    const raw = src[i];
    const v = scaled ? raw * slope + inter : raw;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_LABEL) {
      throw badValue(v, raw, scaled, slope, inter, options.describe(i), options);
    }
    if (v > max) max = v;
  }
  return max;
}

function badValue(
  v: unknown,
  raw: unknown,
  scaled: boolean,
  slope: number,
  inter: number,
  where: string,
  options: NormaliseOptions,
): MaskValueError {
  const shown = scaled
    ? `${String(v)} (raw ${String(raw)} x scl_slope ${slope} + scl_inter ${inter})`
    : String(v);
  const n = typeof v === 'bigint' ? Number(v) : v;
  const why =
    typeof n !== 'number'
      ? 'is not a number'
      : !Number.isFinite(n)
        ? 'is not finite'
        : !Number.isInteger(n)
          ? 'is not an integer'
          : n < 0
            ? 'is negative'
            : `exceeds the largest label ${MAX_LABEL}`;
  const prefix = options.context.file === undefined ? '' : `${JSON.stringify(options.context.file)}: `;
  return new MaskValueError(
    `${prefix}${where} = ${shown} ${why}; labels must be integers in 0..${MAX_LABEL} (pass wrap: true to cast to uint8 like the Python SDK)`,
    { ...options.context, value: v },
  );
}

function gather(
  src: ArrayLike<number>,
  layout: Layout,
  out: LabelArray,
  map: ((v: number) => number) | undefined,
): void {
  const { width, height, frames, colStride, rowStride, frameStride } = layout;
  let o = 0;
  for (let f = 0; f < frames; f++) {
    const fBase = f * frameStride;
    for (let r = 0; r < height; r++) {
      let s = fBase + r * rowStride;
      if (map === undefined) {
        for (let c = 0; c < width; c++, s += colStride) out[o++] = src[s];
      } else {
        for (let c = 0; c < width; c++, s += colStride) out[o++] = map(src[s]);
      }
    }
  }
}

function normaliseBigInt(
  src: BigInt64Array | BigUint64Array,
  layout: Layout,
  slope: number,
  inter: number,
  options: NormaliseOptions,
): LabelArray {
  const count = layout.width * layout.height * layout.frames;
  if (src.length !== count) {
    throw new MaskValueError(`expected ${count} values, got ${src.length}`, options.context);
  }
  const numbers = new Float64Array(count);
  if (options.wrap && slope === 1 && inter === 0) {
    // Wrap on the exact 64-bit value: Number() would round first and change the low byte.
    for (let i = 0; i < count; i++) numbers[i] = Number(BigInt.asUintN(8, src[i]));
    return normaliseLabels(numbers, layout, { ...options, owned: true, slope: undefined });
  }
  for (let i = 0; i < count; i++) {
    const v = src[i];
    if (!options.wrap && (v < 0n || v > BigInt(MAX_LABEL))) {
      throw badValue(v, v, false, 1, 0, options.describe(i), options);
    }
    numbers[i] = Number(v);
  }
  return normaliseLabels(numbers, layout, { ...options, slope, inter, owned: true });
}
