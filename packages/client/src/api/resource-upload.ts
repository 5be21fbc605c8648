import { DatamintException } from '@datamint/core';
import { type CallOptions, callOpts, type HandlerContext } from '../context';
import { UploadFileError, ValidationError } from '../errors';
import { uploadSegmentations } from '../segmentations';
import { removeSpool, type UploadSource } from '../upload/inputs';
import { planUpload } from '../upload/plan';
import type { SkipReason, UploadPlan } from '../upload/plan-types';
import { platformResourceParts } from '../upload/resource-parts';
import { SKIP_EXPLANATIONS } from '../upload/results';
import type { SegmentationUploader } from '../upload/send';
import type { UploadResourcesOptions, UploadResult } from '../upload/types';
import { isUploadPlan, uploadResources } from '../upload/upload-resources';
import { uploadFrameSegmentations, uploadVolume } from './annotation-segmentations';
import type { ProjectsApi } from './projects';

/**
 * Options of `api.resources.uploadResources`: those of `APIHandler.uploadResources`, with the
 * platform's current defaults.
 */
export interface ApiUploadOptions extends UploadResourcesOptions {
  /**
   * How assembled series store their pixels: `'jpeg-ls'` (default, JPEG-LS Lossless, as the
   * platform's current client sends them) or `'none'` (uncompressed).
   */
  compression?: UploadResourcesOptions['compression'];
  /** `'platform'` (default here) or `'series'`; see `PlanUploadOptions.seriesGrouping`. */
  seriesGrouping?: UploadResourcesOptions['seriesGrouping'];
  /** Leave out DICOM reports (SR, DOC, KO, PR, ESR); default `true` here. */
  discardDicomReports?: boolean;
  /**
   * Send `source_filepath` made absolute, as the Python SDK does. Default `false`: the path as
   * given (relative paths stay relative), so local folder layouts do not leave the machine unless asked.
   */
  absoluteSourcePaths?: boolean;
  /** Marks the masks of `segmentationFiles` as this model's (`model_id`, `is_model`), as Python's `model_name`. */
  modelName?: string;
}

/** A file `uploadResources` left out on purpose (a DICOM report or a DICOMDIR): it has a result so results stay aligned with the inputs. */
export interface SkippedUploadResult {
  /** Always `false`: nothing was created. */
  ok: false;
  /** Always `true`. */
  skipped: true;
  /** The input's path or name. */
  source: string;
  /** Why (`'dicom report'` or `'dicom directory'`). */
  reason: string;
  /** Says what was skipped and how to upload it anyway. */
  error: UploadFileError;
}

/** One result per input file: uploaded, failed, or skipped. */
export type ApiUploadResult = UploadResult | SkippedUploadResult;

function skippedResult(source: string, reason: SkipReason, explanation: string): SkippedUploadResult {
  const why = new DatamintException(explanation);
  return { ok: false, skipped: true, source, reason, error: new UploadFileError(source, why) };
}

/** Results of the plan (in position order) with the skipped reports put back in their places. */
function withSkipped(plan: UploadPlan, results: UploadResult[]): ApiUploadResult[] {
  const positions = [
    ...plan.problems.map((p) => p.position),
    ...plan.units.flatMap((u) => u.files.map((f) => f.position)),
  ].sort((a, b) => a - b);
  const placed: { position: number; result: ApiUploadResult }[] = results.map((result, i) => ({
    position: positions[i] ?? Number.MAX_SAFE_INTEGER,
    result,
  }));
  for (const s of plan.skipped) {
    const explanation = SKIP_EXPLANATIONS[s.reason];
    if (explanation !== undefined && s.position !== undefined) {
      placed.push({ position: s.position, result: skippedResult(s.source, s.reason, explanation) });
    }
  }
  return placed.sort((a, b) => a.position - b.position).map((p) => p.result);
}

/** Label value → name of a volume mask: only a map makes sense for a NIfTI label volume. */
function volumeNames(names: unknown, source: string): Record<number, string> | ReadonlyMap<number, string> {
  if (names === undefined) return {};
  if (names instanceof Map) return names as ReadonlyMap<number, string>;
  if (names && typeof names === 'object') return names as Record<number, string>;
  throw new ValidationError(
    `names of ${source}`,
    names,
    'a { labelValue: name } map for a NIfTI label volume',
  );
}

/**
 * Masks as the platform's current client sends them: a NIfTI file as one label volume
 * (`POST /annotations/{rid}/segmentations/file` with `segmentation_map`), anything else as
 * per-frame grayscale 0/255 PNGs (colour masks one label per colour); `source` is `imported`.
 */
function platformSegmentations(modelName: string | undefined): SegmentationUploader {
  const model = modelName === undefined ? {} : { modelId: modelName };
  return (ctx, resourceId, task, given) => {
    const { input } = task;
    const options = { ...given, ...model };
    if (typeof input === 'string' && /\.nii(\.gz)?$/i.test(input)) {
      return uploadVolume(ctx, resourceId, input, {
        name: volumeNames(task.names, input),
        source: 'imported',
        ...model,
        ...callOpts(options),
      });
    }
    // A one-frame mask of one slice of an assembled series goes on that slice's frame.
    if (task.memberFrame !== undefined) {
      return uploadSegmentations(ctx, resourceId, input, options, task.memberFrame, {
        colour: 'gray',
        source: 'imported',
      });
    }
    return uploadFrameSegmentations(ctx, resourceId, input, { ...options, source: 'imported' });
  };
}

/** `api.resources.uploadResources`: our planner and sender, speaking the platform's current wire. */
export async function apiUploadResources(
  context: () => Promise<HandlerContext>,
  projects: ProjectsApi,
  files: UploadPlan | UploadSource | readonly UploadSource[],
  options: ApiUploadOptions = {},
): Promise<ApiUploadResult[]> {
  if (options.absoluteSourcePaths !== undefined && typeof options.absoluteSourcePaths !== 'boolean') {
    throw new ValidationError('absoluteSourcePaths', options.absoluteSourcePaths, 'true or false');
  }
  if (
    options.modelName !== undefined &&
    (typeof options.modelName !== 'string' || options.modelName === '')
  ) {
    throw new ValidationError('modelName', options.modelName, 'a non-empty string');
  }
  const ctx = await context();
  const settings: ApiUploadOptions = {
    compression: 'jpeg-ls',
    seriesGrouping: 'platform',
    discardDicomReports: true,
    ...options,
  };
  const given = isUploadPlan(files);
  const inputs = given ? options.sources : Array.isArray(files) ? files : [files as UploadSource];
  const plan = given
    ? files
    : await planUpload(inputs ?? [], { ...settings, concurrency: options.concurrency ?? ctx.concurrency });
  const call: CallOptions = callOpts(options);
  try {
    const results = await uploadResources(
      ctx,
      plan,
      { ...settings, ...(inputs ? { sources: inputs } : {}) },
      {
        resourceParts: platformResourceParts({
          bypassInbox: options.publish === true || options.publishTo !== undefined,
          absoluteSourcePaths: options.absoluteSourcePaths === true,
        }),
        uploadSegmentation: platformSegmentations(options.modelName),
        resolveProject: (nameOrId) => projects.resolve(nameOrId, call),
        addToProject: async (projectId, resourceIds) => {
          await ctx.http.request({
            method: 'POST',
            path: `projects/${projectId}/resources`,
            json: { resource_ids_to_add: resourceIds, all_files_selected: false },
            // Adding a resource already in the project changes nothing.
            retrySafe: true,
            ...call,
          });
        },
      },
    );
    return withSkipped(plan, results);
  } finally {
    await removeSpool(plan.spoolDir);
  }
}
