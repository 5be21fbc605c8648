import type { Paginated } from '@datamint/core';
import { ANNOTATION_TYPES } from '@datamint/core/internal';
import {
  type CallOptions,
  callOpts,
  createOnce,
  dataArray,
  formatDay,
  getOne,
  type HandlerContext,
  type ListOptions,
  listing,
  pathSegment,
  relabelNotFound,
  requireString,
} from './context';
import { UnexpectedResponseError, ValidationError } from './errors';
import { resolveProject } from './projects';
import type { Annotation, AnnotationStatus, AnnotationType, Worklist, WorklistStatus } from './types';

/** A frame, a list of frames, or an inclusive range `{ from, to }` (Python's tuple). */
export type FrameSelection =
  | number
  | readonly number[]
  | {
      /** First frame of the range. */
      from: number;
      /** Last frame of the range (inclusive, >= `from`). */
      to: number;
    };

/** Who and where, common to the annotation-creating methods. */
export interface AnnotationTargetOptions extends CallOptions {
  /** Annotation worklist to attach to. Exclusive with `project`. */
  worklistId?: string;
  /** Project name or id: the annotation goes to that project's worklist. */
  project?: string;
  /** Where the annotation came from (a tool or file name), sent as `imported_from`. */
  importedFrom?: string;
  /** Author to record instead of the key's user (admin keys only). Sent as `import_author`. */
  authorEmail?: string;
}

const WORKLIST_STATUSES: readonly WorklistStatus[] = ['new', 'updating', 'active', 'completed'];
const ANNOTATION_STATUSES: readonly AnnotationStatus[] = ['new', 'published'];

export function checkFrameIndex(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ValidationError(field, value, 'a frame index (an integer >= 0)');
  }
  return value;
}

/** The frames a selection names, in order; a reversed range is an error (Python silently sends nothing). */
export function expandFrames(selection: FrameSelection, field = 'frameIndex'): number[] {
  if (typeof selection === 'number') return [checkFrameIndex(selection, field)];
  if (Array.isArray(selection)) return selection.map((f, i) => checkFrameIndex(f, `${field}[${i}]`));
  if (selection && typeof selection === 'object' && 'from' in selection && 'to' in selection) {
    const from = checkFrameIndex(selection.from, `${field}.from`);
    const to = checkFrameIndex(selection.to, `${field}.to`);
    if (from > to) throw new ValidationError(field, selection, 'a range with from <= to');
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  throw new ValidationError(field, selection, 'a frame index, an array of frame indexes or { from, to }');
}

/** `worklistId` or the worklist of `project` (resolved by name or id); both at once is an error. */
export async function resolveWorklist(
  ctx: HandlerContext,
  options: AnnotationTargetOptions | undefined,
): Promise<string | null> {
  if (options?.project !== undefined && options.worklistId !== undefined) {
    throw new ValidationError('project', options.project, 'either project or worklistId, not both');
  }
  if (options?.project !== undefined) {
    const project = await resolveProject(ctx, options.project, options);
    return project.worklist_id;
  }
  return options?.worklistId ?? null;
}

/** E21. Returns the new ids, in request order. */
export async function createAnnotations(
  ctx: HandlerContext,
  resourceId: string,
  items: readonly Record<string, unknown>[],
  options?: CallOptions,
): Promise<string[]> {
  requireString(resourceId, 'resourceId');
  if (items.length === 0) return [];
  const body = await relabelNotFound(
    () =>
      ctx.http.request({
        method: 'POST',
        path: `annotations/${pathSegment(resourceId, 'resourceId')}/annotations`,
        json: items as Record<string, unknown>[],
        ...createOnce(),
        ...callOpts(options),
      }),
    'resource',
    { resource_id: resourceId },
  );
  if (!Array.isArray(body) || body.length !== items.length) {
    throw new UnexpectedResponseError(
      `POST /annotations/${resourceId}/annotations`,
      body,
      `an array of ${items.length} annotation id(s)`,
    );
  }
  return body.map((entry) => {
    if (typeof entry === 'string') return entry;
    if (entry && typeof entry === 'object' && typeof (entry as { id?: unknown }).id === 'string') {
      return (entry as { id: string }).id;
    }
    throw new UnexpectedResponseError(`POST /annotations/${resourceId}/annotations`, body, 'annotation ids');
  });
}

export interface AddAnnotationsOptions extends AnnotationTargetOptions {
  /** Omitted: an image-scope annotation. */
  frameIndex?: FrameSelection;
  /** With a value the annotation is a `category`, without one a `label`. */
  value?: string;
  /** The model that made the annotation: it is then recorded as a model annotation. */
  modelId?: string;
}

export async function addAnnotations(
  ctx: HandlerContext,
  resourceId: string,
  identifier: string,
  options?: AddAnnotationsOptions,
): Promise<string[]> {
  requireString(resourceId, 'resourceId');
  requireString(identifier, 'identifier');
  if (options?.value !== undefined && typeof options.value !== 'string') {
    throw new ValidationError('value', options.value, 'a string');
  }
  const frames = options?.frameIndex === undefined ? undefined : expandFrames(options.frameIndex);
  const worklistId = await resolveWorklist(ctx, options);
  // Key order and nulls exactly as the Python SDK sends them (http-api.md §5.9).
  const base: Record<string, unknown> = {
    identifier,
    value: options?.value ?? null,
    scope: frames === undefined ? 'image' : 'frame',
    annotation_worklist_id: worklistId,
    imported_from: options?.importedFrom ?? null,
    import_author: options?.authorEmail ?? null,
    type: options?.value === undefined ? 'label' : 'category',
  };
  if (options?.modelId !== undefined) {
    base.model_id = options.modelId;
    base.is_model = true;
  }
  const items = frames === undefined ? [base] : frames.map((frame_index) => ({ ...base, frame_index }));
  if (items.length === 0) throw new ValidationError('frameIndex', options?.frameIndex, 'at least one frame');
  return createAnnotations(ctx, resourceId, items, options);
}

/** Checks the arguments of a category annotation, then resolves its worklist. */
async function categoryWorklist(
  ctx: HandlerContext,
  resourceId: string,
  identifier: string,
  value: string,
  options: AnnotationTargetOptions | undefined,
): Promise<string | null> {
  requireString(resourceId, 'resourceId');
  requireString(identifier, 'identifier');
  requireString(value, 'value');
  return resolveWorklist(ctx, options);
}

export async function addImageCategoryAnnotation(
  ctx: HandlerContext,
  resourceId: string,
  identifier: string,
  value: string,
  options?: AnnotationTargetOptions,
): Promise<string[]> {
  const worklistId = await categoryWorklist(ctx, resourceId, identifier, value, options);
  const item = {
    identifier,
    value,
    scope: 'image',
    type: 'category',
    imported_from: options?.importedFrom ?? null,
    import_author: options?.authorEmail ?? null,
    annotation_worklist_id: worklistId,
  };
  return createAnnotations(ctx, resourceId, [item], options);
}

export async function addFrameCategoryAnnotation(
  ctx: HandlerContext,
  resourceId: string,
  frameIndex: FrameSelection,
  identifier: string,
  value: string,
  options?: AnnotationTargetOptions,
): Promise<string[]> {
  const frames = expandFrames(frameIndex);
  if (frames.length === 0) throw new ValidationError('frameIndex', frameIndex, 'at least one frame');
  const worklistId = await categoryWorklist(ctx, resourceId, identifier, value, options);
  const items = frames.map((frame_index) => ({
    identifier,
    value,
    scope: 'frame',
    frame_index,
    annotation_worklist_id: worklistId,
    imported_from: options?.importedFrom ?? null,
    import_author: options?.authorEmail ?? null,
    type: 'category',
  }));
  return createAnnotations(ctx, resourceId, items, options);
}

/** Filters of `getAnnotations`; every one given must match. An unknown type or status is a `ValidationError`. */
export interface GetAnnotationsOptions extends ListOptions {
  /** Only this resource's annotations. */
  resourceId?: string;
  /** Only this type (`category`, `label`, `line`, `square`, `segmentation`, ...). */
  annotationType?: AnnotationType;
  /** Only those made by this user. */
  annotatorEmail?: string;
  /** Only those made on or after this day (a `Date` or `YYYY-MM-DD`). */
  dateFrom?: Date | string;
  /** Only those made on or before this day (a `Date` or `YYYY-MM-DD`). */
  dateTo?: Date | string;
  /** Only annotations of this dataset's resources. */
  datasetId?: string;
  /** Only those of this annotation worklist. */
  worklistId?: string;
  /** Only `new` or only `published` annotations. */
  status?: AnnotationStatus;
  /** Include model-made segmentations (default: the server's, which excludes them). */
  loadAiSegmentations?: boolean;
}

export function getAnnotations(
  context: () => Promise<HandlerContext>,
  options: GetAnnotationsOptions,
  defaultPageSize: number,
): Paginated<Annotation> {
  if (options.annotationType !== undefined && !ANNOTATION_TYPES.includes(options.annotationType)) {
    throw new ValidationError(
      'annotationType',
      options.annotationType,
      `one of ${ANNOTATION_TYPES.join(', ')}`,
    );
  }
  if (options.status !== undefined && !ANNOTATION_STATUSES.includes(options.status)) {
    throw new ValidationError('status', options.status, `one of ${ANNOTATION_STATUSES.join(', ')}`);
  }
  const query = {
    resource_id: options.resourceId,
    annotation_type: options.annotationType,
    annotatorEmail: options.annotatorEmail,
    from: formatDay(options.dateFrom, 'dateFrom'),
    to: formatDay(options.dateTo, 'dateTo'),
    dataset_id: options.datasetId,
    annotation_worklist_id: options.worklistId,
    status: options.status,
    load_ai_segmentations: options.loadAiSegmentations,
  };
  return listing<Annotation>(
    context,
    options,
    { path: 'annotations', query, items: (body) => dataArray<Annotation>(body, 'GET /annotations') },
    defaultPageSize,
  );
}

/** Filters of `getAnnotationWorklist`. */
export interface GetWorklistsOptions extends ListOptions {
  /** Only worklists in this state (`new`, `updating`, `active`, `completed`); another value is a `ValidationError`. */
  status?: WorklistStatus;
}

export function getAnnotationWorklist(
  context: () => Promise<HandlerContext>,
  options: GetWorklistsOptions,
  defaultPageSize: number,
): Paginated<Worklist> {
  if (options.status !== undefined && !WORKLIST_STATUSES.includes(options.status)) {
    throw new ValidationError('status', options.status, `one of ${WORKLIST_STATUSES.join(', ')}`);
  }
  return listing<Worklist>(
    context,
    options,
    {
      path: 'annotationsets',
      query: { status: options.status },
      items: (body) => dataArray<Worklist>(body, 'GET /annotationsets'),
    },
    defaultPageSize,
  );
}

export async function getAnnotationWorklistById(
  ctx: HandlerContext,
  id: string,
  options?: CallOptions,
): Promise<Worklist> {
  requireString(id, 'id');
  return getOne<Worklist>(
    ctx,
    `annotationsets/${pathSegment(id, 'id')}`,
    { resourceType: 'annotation worklist', params: { id } },
    options,
  );
}

/** What `updateAnnotationWorklist` changes: only the keys given are sent. */
export interface UpdateWorklistOptions extends CallOptions {
  /** The frame labels annotators may use. */
  frameLabels?: string[];
  /** The image labels annotators may use. */
  imageLabels?: string[];
  /** The worklist's annotation definitions, as the platform stores them. */
  annotations?: Record<string, unknown>[];
  /** The new state (`new`, `updating`, `active`, `completed`). */
  status?: WorklistStatus;
  /** The new name. */
  name?: string;
}

export async function updateAnnotationWorklist(
  ctx: HandlerContext,
  worklistId: string,
  options?: UpdateWorklistOptions,
): Promise<void> {
  requireString(worklistId, 'worklistId');
  if (options?.status !== undefined && !WORKLIST_STATUSES.includes(options.status)) {
    throw new ValidationError('status', options.status, `one of ${WORKLIST_STATUSES.join(', ')}`);
  }
  for (const field of ['frameLabels', 'imageLabels', 'annotations'] as const) {
    const v = options?.[field];
    if (v !== undefined && !Array.isArray(v)) throw new ValidationError(field, v, 'an array');
  }
  // Only the keys given, in the Python order (http-api.md §4.25).
  const body: Record<string, unknown> = {};
  if (options?.status !== undefined) body.status = options.status;
  if (options?.frameLabels !== undefined) body.frame_labels = options.frameLabels;
  if (options?.imageLabels !== undefined) body.image_labels = options.imageLabels;
  if (options?.annotations !== undefined) body.annotations = options.annotations;
  if (options?.name !== undefined) body.name = options.name;
  await relabelNotFound(
    () =>
      ctx.http.request({
        method: 'PATCH',
        path: `annotationsets/${pathSegment(worklistId, 'worklistId')}`,
        json: body,
        // A partial replace: repeating it gives the same state.
        retrySafe: true,
        ...callOpts(options),
      }),
    'annotation worklist',
    { id: worklistId },
  );
}
