import type { LabelNames } from '@datamint/segmentation';
import { ValidationError } from '../errors';
import type { SegmentationInput } from '../segmentations';
import type { SegmentationFiles } from './types';

/** One mask to attach after its resource is created. */
export interface SegmentationTask {
  /** The mask: a file path, bytes or an array, as `uploadSegmentations` takes it. */
  input: SegmentationInput;
  /** Label value → name for this mask (`undefined`: the default `label_N` names). */
  names: LabelNames | undefined;
  /** The frame (or frames) the mask belongs to; `undefined` when the mask itself says. */
  frameIndex: number | readonly number[] | undefined;
  /**
   * Set for the masks of one slice of an assembled series: that slice's frame, used when the mask
   * has a single frame and no `frameIndex` (a volume mask applies to the whole series as it is).
   */
  memberFrame?: number;
}

function isSegmentationInput(value: unknown): value is SegmentationInput {
  return (
    typeof value === 'string' ||
    value instanceof Uint8Array ||
    (!!value && typeof value === 'object' && 'data' in value && 'shape' in value)
  );
}

/**
 * Normalises one `segmentationFiles` entry into tasks. Unlike Python, a single path is never
 * iterated character by character and a number frame index is accepted.
 */
export function segmentationTasks(
  spec: SegmentationFiles | null | undefined,
  field: string,
): SegmentationTask[] {
  if (spec === null || spec === undefined) return [];
  if (isSegmentationInput(spec)) return [{ input: spec, names: undefined, frameIndex: undefined }];
  if (Array.isArray(spec)) {
    return spec.map((input, i) => {
      if (!isSegmentationInput(input)) {
        throw new ValidationError(`${field}[${i}]`, input, 'a PNG/NIfTI path, its bytes or { data, shape }');
      }
      return { input, names: undefined, frameIndex: undefined };
    });
  }
  if (typeof spec === 'object' && 'files' in spec) {
    const single = !Array.isArray(spec.files);
    const files = (single ? [spec.files] : spec.files) as SegmentationInput[];
    const names = spec.names;
    const namesPerFile = Array.isArray(names);
    if (namesPerFile && (names as unknown[]).length !== files.length) {
      throw new ValidationError(`${field}.names`, names, `${files.length} entries, one per file`);
    }
    const frames = spec.frameIndex;
    if (!single && frames !== undefined && (!Array.isArray(frames) || frames.length !== files.length)) {
      throw new ValidationError(
        `${field}.frameIndex`,
        frames,
        `an array of ${files.length} entries, one per file`,
      );
    }
    return files.map((input, i) => {
      if (!isSegmentationInput(input)) {
        throw new ValidationError(
          `${field}.files[${i}]`,
          input,
          'a PNG/NIfTI path, its bytes or { data, shape }',
        );
      }
      const frameIndex = single
        ? (frames as number | readonly number[] | undefined)
        : ((frames as readonly (number | readonly number[] | null | undefined)[] | undefined)?.[i] ??
          undefined);
      const name = namesPerFile
        ? ((names as (LabelNames | null | undefined)[])[i] ?? undefined)
        : (names as LabelNames | undefined);
      return { input, names: name, frameIndex };
    });
  }
  throw new ValidationError(field, spec, 'a mask, an array of masks, or { files, names?, frameIndex? }');
}
