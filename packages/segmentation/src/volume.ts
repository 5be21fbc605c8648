import { MaskShapeError } from './errors';
import { nextNonZero, wordView } from './scan';

/** The label storage of a volume: the smallest unsigned array type that holds every label. */
export type LabelArray = Uint8Array | Uint16Array | Uint32Array;

/** One 2-D frame of labels, row-major: the value of column `x`, row `y` is `data[y * width + x]`. */
export interface LabelFrame {
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** `width * height` labels. */
  readonly data: LabelArray;
}

/** A binary mask frame, row-major; non-zero means "inside". `splitLabels` yields 0/1 `Uint8Array`s. */
export interface BinaryFrame {
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** `width * height` values; non-zero is inside. */
  readonly data: ArrayLike<number>;
}

/**
 * A label volume normalised to frames. `data` is row-major with frames last: the label at column `x`,
 * row `y` of frame `f` is `data[f * width * height + y * width + x]`, so each frame is a contiguous
 * run of `width * height` values.
 */
export class MaskVolume {
  /** Columns of every frame. */
  readonly width: number;
  /** Rows of every frame. */
  readonly height: number;
  /** Number of frames (1 for a 2-D mask). */
  readonly frames: number;
  /** `width * height * frames` labels, frame after frame. */
  readonly data: LabelArray;
  /** Memo of `labels()`; the volume is immutable by contract, so computing it once is safe. */
  #labels: ReadonlySet<number> | undefined;

  constructor(width: number, height: number, frames: number, data: LabelArray) {
    for (const [field, value] of [
      ['width', width],
      ['height', height],
      ['frames', frames],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new MaskShapeError(`MaskVolume ${field} must be a positive integer, got ${value}`, {
          field,
          value,
        });
      }
    }
    if (data.length !== width * height * frames) {
      throw new MaskShapeError(
        `MaskVolume data has ${data.length} values but ${width}x${height}x${frames} needs ${width * height * frames}`,
        { field: 'data', value: data.length },
      );
    }
    this.width = width;
    this.height = height;
    this.frames = frames;
    this.data = data;
  }

  /** The non-zero label values present anywhere in the volume, in ascending order (0 is background). */
  labels(): ReadonlySet<number> {
    if (this.#labels === undefined) this.#labels = new Set(distinctLabels(this.data));
    return this.#labels;
  }

  /** Frame `index` (0-based) as a view that shares memory with `data`. */
  frame(index: number): LabelFrame {
    if (!Number.isInteger(index) || index < 0 || index >= this.frames) {
      throw new MaskShapeError(`frame ${index} is outside the volume's ${this.frames} frame(s)`, {
        field: 'frame',
        value: index,
      });
    }
    const size = this.width * this.height;
    return {
      width: this.width,
      height: this.height,
      data: this.data.subarray(index * size, (index + 1) * size),
    };
  }
}

/** Sorted distinct non-zero values of `data`. */
export function distinctLabels(data: LabelArray): number[] {
  if (data instanceof Uint8Array) {
    const seen = new Uint8Array(256);
    const words = wordView(data);
    for (let i = nextNonZero(data, words, 0, data.length); i < data.length; ) {
      seen[data[i]] = 1;
      i = data[i + 1] === 0 ? nextNonZero(data, words, i + 1, data.length) : i + 1;
    }
    const out: number[] = [];
    for (let v = 1; v < 256; v++) if (seen[v]) out.push(v);
    return out;
  }
  const set = new Set<number>();
  let previous = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // Label maps are run-heavy; skipping repeats keeps Set traffic low.
    if (v !== previous) {
      if (v !== 0) set.add(v);
      previous = v;
    }
  }
  return [...set].sort((a, b) => a - b);
}
