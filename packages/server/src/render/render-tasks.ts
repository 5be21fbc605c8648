import { type ArchiveEntry, type ArchiveFramesRequest, archiveFrameEntries } from '../archive-frames';
import { BadRequestError } from '../errors';
import { type MaskResource, validateMask } from '../validate-mask';
import { checkVolumeFits, type FrameShape, labelSlice, labelsPresent, readLabelVolume } from '../volume-mask';
import type { DecodeLimits } from './decode-limits';
import { encodePng } from './encode-png';
import { type FrameSource, renderFrame } from './render-frame';

/** The arguments of each kind of decoding work the render workers do. */
export interface RenderTaskArgs {
  /** PNG of frame `index` of a stored file. */
  frame: { source: FrameSource; index: number; limits: DecodeLimits };
  /** PNG of one label's frame of a stored NIfTI label volume. */
  labelFrame: { path: string; frame: number; label: number; limits: DecodeLimits };
  /** Checks an uploaded per-frame mask decodes and fits the resource. */
  validateMask: { path: string; filename: string; resource: MaskResource; limits: DecodeLimits };
  /** The labels present in an uploaded label volume, once it is known to fit the resource. */
  volumeLabels: { path: string; shape: FrameShape; resourceId: string; limits: DecodeLimits };
  /** A resource's frames encoded for a dataset archive. */
  archiveEntries: ArchiveFramesRequest;
}

/** What each kind of work answers. */
export interface RenderTaskResults {
  frame: Uint8Array;
  labelFrame: Uint8Array;
  validateMask: null;
  volumeLabels: number[];
  archiveEntries: ArchiveEntry[];
}

/** One unit of decoding work, as posted to a worker. */
export type RenderTask = {
  [K in keyof RenderTaskArgs]: { kind: K; args: RenderTaskArgs[K] };
}[keyof RenderTaskArgs];

/** Does one unit of decoding work; runs inside a render worker (and is plain code, testable anywhere). */
export async function runRenderTask(task: RenderTask): Promise<RenderTaskResults[keyof RenderTaskResults]> {
  switch (task.kind) {
    case 'frame':
      return renderFrame(task.args.source, task.args.index, task.args.limits);
    case 'labelFrame': {
      const { path, frame, label, limits } = task.args;
      const volume = await readLabelVolume(path, limits);
      return encodePng(labelSlice(volume, frame, label));
    }
    case 'validateMask': {
      const { path, filename, resource, limits } = task.args;
      await validateMask(path, filename, resource, limits);
      return null;
    }
    case 'volumeLabels': {
      const { path, shape, resourceId, limits } = task.args;
      const volume = await readLabelVolume(path, limits);
      checkVolumeFits(volume, shape, resourceId);
      return labelsPresent(volume);
    }
    case 'archiveEntries':
      return archiveFrameEntries(task.args);
    default:
      throw new BadRequestError(`unknown render task ${(task as { kind: string }).kind}`);
  }
}
