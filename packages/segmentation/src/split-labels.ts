import { MaskShapeError } from './errors';
import { identifiersFor, type LabelNames, type ParsedNames, parseNames } from './names';
import { nextNonZero, wordView } from './scan';
import { distinctLabels, type LabelArray, type MaskVolume } from './volume';

/** How {@link splitLabels} names and places the masks. */
export interface SplitLabelsOptions {
  /**
   * Identifiers: a name for every label, or a `{ value: name }` map with optional `'default'` (spec §2.1).
   * A name is bare on a frame holding one label and `<name>_<value>` on a frame holding several, as in
   * the Python SDK. Absent: decided over the whole mask rather than per frame (unlike the Python SDK, so
   * labels stay apart across slices): `seg` on every frame when the mask holds one label value anywhere,
   * else `seg_<value>` on every frame.
   */
  names?: LabelNames;
  /**
   * Target frame index of each mask frame within the resource: an array of length `volume.frames`, or a
   * single number for a one-frame mask. Default `0..frames-1`.
   */
  frameIndex?: number | readonly number[];
  /** Skip frames without any label (default true, as the Python SDK). */
  discardEmpty?: boolean;
  /**
   * Without `names`: label values of other masks of the same resource (the one-slice masks of a
   * series), named together with this mask's own, so that a value gets one name on all of them.
   * Ignored when `names` is given.
   */
  unnamedAlongside?: Iterable<number>;
}

/** A binary mask frame: `data[y * width + x]` is 1 inside the label, 0 outside. */
export interface MaskFrame {
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
  /** `width * height` values, 0 or 1. */
  readonly data: Uint8Array;
}

/** One annotation to upload: label `value` of mask frame `sourceFrame`, placed at resource frame `frame`. */
export interface LabelMask {
  /** Target frame index within the resource (after `frameIndex` mapping). */
  frame: number;
  /** Frame of the mask volume this came from (0-based). */
  sourceFrame: number;
  /** Annotation identifier (also the upload's file name). */
  identifier: string;
  /** Label value; 0 only for the placeholder of an empty frame when `discardEmpty` is false. */
  value: number;
  /** 1 where the frame equals `value`, 0 elsewhere. */
  mask: MaskFrame;
}

/**
 * Splits a volume into one binary mask per (frame, label), lazily: nothing is allocated for a frame before
 * the iterator reaches it. Items come in frame order, then ascending label order, so the items of one
 * frame are consecutive (the Python SDK makes one annotation request per frame).
 *
 * Options and names are validated when this is called, before the first item, over every frame: a label
 * without a name or duplicate identifiers in any frame throw MaskNameError up front, so an upload never
 * stops half-way. With `discardEmpty: false`, a frame without labels yields one item with `value: 0` and
 * an all-zero mask (the Python SDK sends an empty annotation list for it and uploads no file).
 * @example
 * ```ts
 * import { maskFromArray, splitLabels } from '@datamint/segmentation';
 *
 * const volume = maskFromArray(new Uint8Array([1, 0, 2, 1, 0, 2]), [2, 3]);
 * for (const { frame, identifier, value, mask } of splitLabels(volume, { names: { 1: 'bone', 2: 'vessel' } })) {
 *   console.log(frame, identifier, value, mask.data); // one binary mask per label and frame
 * }
 * ```
 */
export function splitLabels(
  volume: MaskVolume,
  options: SplitLabelsOptions = {},
): IterableIterator<LabelMask> {
  const targets = targetFrames(volume.frames, options.frameIndex);
  const parsed = parseNames(options.names);
  const discardEmpty = options.discardEmpty ?? true;
  const perFrame: number[][] = [];
  for (let k = 0; k < volume.frames; k++) perFrame.push(distinctLabels(volume.frame(k).data));
  // Without names, a label is named over the whole mask (see parseNames): the union of the frames'
  // labels, which is `volume.labels()` without scanning the volume a second time.
  const wholeMask =
    parsed.kind === 'single' && parsed.over === 'volume'
      ? volumeNames(perFrame, parsed, options.unnamedAlongside ?? [])
      : undefined;
  const identifiers = perFrame.map((values) =>
    values.length === 0
      ? []
      : wholeMask
        ? values.map((v) => wholeMask.get(v) as string)
        : identifiersFor(values, parsed),
  );
  const emptyIdentifier =
    parsed.kind === 'single' ? parsed.name : (parsed.map.get(0) ?? parsed.fallback ?? 'seg');
  return generate(volume, targets, perFrame, identifiers, discardEmpty ? undefined : emptyIdentifier);
}

/** Label value → identifier for names decided over every label of the mask. */
function volumeNames(
  perFrame: readonly number[][],
  parsed: ParsedNames,
  alongside: Iterable<number>,
): Map<number, string> {
  const all = new Set<number>();
  for (const v of alongside) if (v !== 0) all.add(v);
  for (const values of perFrame) for (const v of values) all.add(v);
  const values = [...all].sort((a, b) => a - b);
  const ids = identifiersFor(values, parsed);
  return new Map(values.map((v, n) => [v, ids[n]]));
}

function* generate(
  volume: MaskVolume,
  targets: readonly number[],
  perFrame: readonly number[][],
  identifiers: readonly string[][],
  emptyIdentifier: string | undefined,
): Generator<LabelMask, void, undefined> {
  const { width, height } = volume;
  for (let k = 0; k < volume.frames; k++) {
    const values = perFrame[k];
    if (values.length === 0) {
      if (emptyIdentifier !== undefined) {
        yield {
          frame: targets[k],
          sourceFrame: k,
          identifier: emptyIdentifier,
          value: 0,
          mask: { width, height, data: new Uint8Array(width * height) },
        };
      }
      continue;
    }
    const runs = labelRuns(volume.frame(k).data, values);
    for (let n = 0; n < values.length; n++) {
      yield {
        frame: targets[k],
        sourceFrame: k,
        identifier: identifiers[k][n],
        value: values[n],
        mask: { width, height, data: runs.mask(n) },
      };
    }
  }
}

/**
 * The runs of equal non-zero labels of one frame, grouped by label, found in one pass: a frame with
 * several labels is scanned once instead of once per label, and each mask is then a few `fill` calls.
 * The runs (at most a few bytes per non-zero pixel) live only while the frame's masks are produced.
 */
function labelRuns(labels: LabelArray, values: readonly number[]): { mask: (n: number) => Uint8Array } {
  const size = labels.length;
  const starts: number[] = [];
  const ends: number[] = [];
  const which: number[] = [];
  const count = new Int32Array(values.length);
  const index = new Map<number, number>();
  values.forEach((v, n) => {
    index.set(v, n);
  });
  const push = (start: number, end: number, value: number): void => {
    const n = index.get(value) as number;
    starts.push(start);
    ends.push(end);
    which.push(n);
    count[n]++;
  };
  if (labels instanceof Uint8Array) {
    const words = wordView(labels);
    for (let i = nextNonZero(labels, words, 0, size); i < size; ) {
      const v = labels[i];
      let j = i + 1;
      while (j < size && labels[j] === v) j++;
      push(i, j, v);
      i = j < size && labels[j] === 0 ? nextNonZero(labels, words, j, size) : j;
    }
  } else {
    for (let i = 0; i < size; ) {
      const v = labels[i];
      let j = i + 1;
      while (j < size && labels[j] === v) j++;
      if (v !== 0) push(i, j, v);
      i = j;
    }
  }
  // Counting sort by label, so each mask visits only its own runs.
  const first = new Int32Array(values.length + 1);
  for (let n = 0; n < values.length; n++) first[n + 1] = first[n] + count[n];
  const next = first.slice(0, values.length);
  const order = new Int32Array(starts.length);
  for (let r = 0; r < starts.length; r++) order[next[which[r]]++] = r;
  return {
    mask(n) {
      const out = new Uint8Array(size);
      for (let p = first[n]; p < first[n + 1]; p++) out.fill(1, starts[order[p]], ends[order[p]]);
      return out;
    },
  };
}

/** `frame_index` semantics without the Python SDK's crash on a plain integer. */
function targetFrames(frames: number, frameIndex: number | readonly number[] | undefined): number[] {
  if (frameIndex === undefined) return Array.from({ length: frames }, (_, k) => k);
  const list = typeof frameIndex === 'number' ? [frameIndex] : [...frameIndex];
  if (typeof frameIndex === 'number' && frames !== 1) {
    throw new MaskShapeError(
      `frameIndex is the single number ${frameIndex} but the mask has ${frames} frames; pass an array of ${frames} indexes`,
      { field: 'frameIndex', value: frameIndex },
    );
  }
  if (list.length !== frames) {
    throw new MaskShapeError(
      `frameIndex has ${list.length} entries but the mask has ${frames} frame(s); give one per frame`,
      {
        field: 'frameIndex',
        value: list.length,
      },
    );
  }
  list.forEach((index, k) => {
    if (!Number.isSafeInteger(index) || index < 0) {
      throw new MaskShapeError(`frameIndex[${k}] is ${index}; frame indexes are non-negative integers`, {
        field: `frameIndex[${k}]`,
        value: index,
      });
    }
  });
  return list;
}
