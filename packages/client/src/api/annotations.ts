import { APIBodyError, mapSettled, Paginated } from '@datamint/core';
import type { AnnotationType } from '@datamint/core/internal';
import {
  type CallOptions,
  callOpts,
  createOnce,
  formatDay,
  type HandlerContext,
  type ListOptions,
  relabelNotFound,
  requireString,
} from '../context';
import { ValidationError } from '../errors';
import { geometryAnnotationPayload } from '../geometry-payload';
import { AnnotationImages, type AnnotationMetadata } from './annotation-images';
import {
  type FrameSegmentationInput,
  type UploadFrameSegmentationsOptions,
  type UploadVolumeSegmentationOptions,
  uploadFrameSegmentations,
  uploadVolume,
  type VolumeArray,
} from './annotation-segmentations';
import { AnnotationEntity, type AnnotationLinks, annotationEntity } from './entities/annotation';
import { entityId, idOf } from './ids';
import { paged } from './pages';
import { type FileWritten, type StreamToFileOptions, streamToFile } from './requests';
import { type ResourceRef, ResourcesApi } from './resources';

/** An annotation given by id or as the entity. */
export type AnnotationRef = string | AnnotationEntity;
/** A resource given by id or as any object with an `id`. */
export type ResourceIdRef =
  | string
  | {
      /** The resource's id. */
      readonly id: string;
    };

/** Filters of `api.annotations.getList`; all are combined (AND). */
export interface AnnotationListOptions extends ListOptions {
  /** One resource, or any of several (an empty list yields nothing, without a request). */
  resource?: ResourceIdRef | readonly ResourceIdRef[];
  /** Only annotations of this type. */
  annotationType?: AnnotationType;
  /** Only annotations made by this user. */
  annotatorEmail?: string;
  /** First day (inclusive). */
  fromDate?: Date | string;
  /** Last day. */
  toDate?: Date | string;
  /** Only annotations of this dataset. */
  datasetId?: string;
  /** Only annotations of this annotation worklist. */
  worklistId?: string;
  /** Only annotations in this status. */
  status?: 'new' | 'published';
  /** Include model-made segmentations. */
  loadAiSegmentations?: boolean;
}

/** Who made an annotation and where it belongs (shared by every creating method). */
export interface AnnotationProvenance {
  /** Annotation worklist the annotation belongs to. */
  worklistId?: string;
  /** Where the annotation was imported from (a tool, a file...). */
  importedFrom?: string;
  /** Sent as `import_author`. */
  authorEmail?: string;
  /** Marks the annotation as a model's (`is_model: true`). */
  modelId?: string;
  /** Default `imported`. */
  source?: string;
}

/** Options of `addLineAnnotation`/`addBoxAnnotation`. */
export interface GeometryAnnotationOptions extends AnnotationProvenance, CallOptions {
  /** Zero-based frame (slice) of pixel points; required for multi-frame DICOM and NIfTI volumes. */
  frameIndex?: number;
  /** `pixel` (default): `[x, y]`, x the column. `patient`: `[X, Y, Z]` in mm (LPS). */
  coordsSystem?: 'pixel' | 'patient';
  /** The image's geometry instead of fetching it: a parsed DICOM header, or a NIfTI resource's `metadata`. */
  metadata?: AnnotationMetadata;
}

/** One annotation of `downloadMultipleFiles`: whether its file was saved, and why not. */
export interface AnnotationFileDownload {
  /** The annotation. */
  annotationId: string;
  /** Where its file was to be saved. */
  path: string;
  /** `true` when the file was written. */
  ok: boolean;
  /** Why it failed (an `ItemNotFoundError`, a transport or file system error), when `ok` is false. */
  error?: unknown;
}

/** One annotation to create. */
export interface NewAnnotation extends AnnotationProvenance {
  /** `label`, `category`, `integer`, `float`, `line`, `square`, `segmentation`... */
  type: AnnotationType;
  /** The label name. */
  identifier: string;
  /** Default: `frame` when `frameIndex` is given, else `image`. */
  scope?: 'image' | 'frame';
  /** The frame a frame-scoped annotation belongs to (0-based). */
  frameIndex?: number;
  /** A category's text, or an `integer`/`float` annotation's number. */
  value?: string | number | boolean;
  /** Units of a numeric value (`mm`, `years`...). */
  units?: string;
  /** The geometry object of a line or box, sent as given. */
  geometry?: Record<string, unknown>;
}

/** Drops `null`/`undefined` keys, recursively into objects but not into arrays (the platform's DTO rule). */
function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    out[key] =
      v && typeof v === 'object' && !Array.isArray(v) ? withoutNulls(v as Record<string, unknown>) : v;
  }
  return out;
}

/** The wire element of one annotation, keys in the platform's order, nulls dropped. */
export function annotationBody(annotation: NewAnnotation, field = 'annotation'): Record<string, unknown> {
  if (typeof annotation?.identifier !== 'string' || annotation.identifier.trim() === '') {
    throw new ValidationError(`${field}.identifier`, annotation?.identifier, 'a non-empty string');
  }
  if (
    annotation.frameIndex !== undefined &&
    (!Number.isInteger(annotation.frameIndex) || annotation.frameIndex < 0)
  ) {
    throw new ValidationError(`${field}.frameIndex`, annotation.frameIndex, 'an integer >= 0');
  }
  if (annotation.scope === 'frame' && annotation.frameIndex === undefined) {
    throw new ValidationError(
      `${field}.frameIndex`,
      undefined,
      'a frame index for a frame-scoped annotation',
    );
  }
  checkModelId(annotation.modelId, `${field}.modelId`);
  return withoutNulls({
    value: annotation.value,
    type: annotation.type,
    identifier: annotation.identifier,
    scope: annotation.scope ?? (annotation.frameIndex === undefined ? 'image' : 'frame'),
    frame_index: annotation.frameIndex,
    annotation_worklist_id: annotation.worklistId,
    imported_from: annotation.importedFrom,
    import_author: annotation.authorEmail,
    units: annotation.units,
    geometry: annotation.geometry,
    is_model: annotation.modelId === undefined ? undefined : true,
    model_id: annotation.modelId,
    source: annotation.source ?? 'imported',
  });
}

/**
 * `api.annotations`: searching, creating, renaming, approving, downloading and deleting annotations.
 * @example
 * ```ts
 * import { Api } from '@datamint/client';
 *
 * const api = await Api.connect();
 * const resourceId = '3f2c0a8e-1b2d-4c5e-8f90-1a2b3c4d5e6f';
 * const quality = await api.annotations.createImageClassification(resourceId, 'quality', 'good');
 * await api.annotations.approve(quality);
 * for await (const a of api.annotations.getList({ resource: resourceId, status: 'new' })) {
 *   console.log(a.id, a.identifier);
 * }
 * await api.close();
 * ```
 */
export class AnnotationsApi {
  readonly #context: () => Promise<HandlerContext>;
  readonly #pageSize: number;
  #images: AnnotationImages | undefined;

  /** @internal Built by `Api`. */
  constructor(context: () => Promise<HandlerContext>, pageSize: number) {
    this.#context = context;
    this.#pageSize = pageSize;
  }

  /** @internal What the annotations this group (or a resource's `fetchAnnotations`) returns fetch with. */
  readonly entityLinks: AnnotationLinks = {
    refetch: async (id, options) => (await this.getById(id, options)).toJSON(),
    fileBytes: (annotation, options) => this.downloadFile(annotation, options),
  };

  /** Annotations matching every filter (`POST /annotations/search`), lazily paged. */
  getList(options: AnnotationListOptions = {}): Paginated<AnnotationEntity> {
    const json: Record<string, unknown> = withoutNulls({
      annotation_type: options.annotationType,
      annotatorEmail: options.annotatorEmail,
      from: formatDay(options.fromDate, 'fromDate'),
      to: formatDay(options.toDate, 'toDate'),
      dataset_id: options.datasetId,
      annotation_worklist_id: options.worklistId,
      status: options.status,
      load_ai_segmentations: options.loadAiSegmentations,
    });
    if (options.status !== undefined && options.status !== 'new' && options.status !== 'published') {
      throw new ValidationError('status', options.status, '"new" or "published"');
    }
    const pageOptions = { pageSize: this.#pageSize, ...options };
    if (Array.isArray(options.resource)) {
      const ids = options.resource.map((r, i) => idOf(r as ResourceIdRef, `resource[${i}]`));
      if (ids.length === 0) return new Paginated<AnnotationEntity>(async () => [], {});
      json.resource_ids = ids;
    } else if (options.resource !== undefined) {
      json.resource_id = idOf(options.resource as ResourceIdRef, 'resource');
    }
    return paged(this.#context, pageOptions, {
      method: 'POST',
      path: 'annotations/search',
      json,
      field: 'annotations',
      build: (item) => annotationEntity(item, this.entityLinks),
    });
  }

  /** Every annotation (optionally the first `limit`). */
  getAll(options: ListOptions = {}): Paginated<AnnotationEntity> {
    return this.getList(options);
  }

  /** One annotation; an unknown id is `ResourceNotFoundError('annotation', {id})`. */
  async getById(annotationId: string, options?: CallOptions): Promise<AnnotationEntity> {
    const id = entityId(annotationId, 'annotationId');
    const ctx = await this.#context();
    const body = await relabelNotFound(
      () => ctx.http.request({ method: 'GET', path: `annotations/${id}`, ...callOpts(options) }),
      'annotation',
      { id },
    );
    return annotationEntity(body, this.entityLinks);
  }

  /**
   * Creates one annotation (returns its id) or several (returns their ids in order) on a resource:
   * plain descriptions, entities built with `LineAnnotation.fromPoints`/`BoxAnnotation.fromPoints`,
   * or annotations read from another resource (their server-made fields are not sent).
   * A repeat after a lost answer creates nothing twice (one idempotency key per call).
   */
  create(
    resource: ResourceIdRef,
    annotation: NewAnnotation | AnnotationEntity,
    options?: CallOptions,
  ): Promise<string>;
  create(
    resource: ResourceIdRef,
    annotations: readonly (NewAnnotation | AnnotationEntity)[],
    options?: CallOptions,
  ): Promise<string[]>;
  async create(
    resource: ResourceIdRef,
    annotations: NewAnnotation | AnnotationEntity | readonly (NewAnnotation | AnnotationEntity)[],
    options?: CallOptions,
  ): Promise<string | string[]> {
    const resourceId = idOf(resource, 'resource');
    const list = Array.isArray(annotations) ? annotations : [annotations as NewAnnotation];
    const body = list.map((a, i) =>
      a instanceof AnnotationEntity
        ? entityBody(a)
        : annotationBody(a, Array.isArray(annotations) ? `annotations[${i}]` : 'annotation'),
    );
    const ids = await this.#post(resourceId, body, options);
    return Array.isArray(annotations) ? ids : (ids[0] as string);
  }

  async #post(resourceId: string, body: Record<string, unknown>[], options?: CallOptions): Promise<string[]> {
    const ctx = await this.#context();
    const path = `annotations/${resourceId}/annotations`;
    const answer = await relabelNotFound(
      () =>
        ctx.http.request<unknown>({
          method: 'POST',
          path,
          json: body,
          ...createOnce(),
          ...callOpts(options),
        }),
      'resource',
      { resource_id: resourceId },
    );
    return createdIds(answer, body.length, ctx.http.urlFor(path));
  }

  /**
   * A line between two points; returns its id. DICOM and NIfTI resources get patient-space
   * geometry (LPS millimetres with the view vectors): pixel points `[x, y]` are converted with the
   * image's geometry — `options.metadata`, else fetched once per resource (the resource, and a
   * DICOM's file) — and patient points `[X, Y, Z]` (`coordsSystem: 'patient'`) are sent as given.
   * Other images get pixel points `[x, y, frameIndex ?? 0]`.
   */
  async addLineAnnotation(
    point1: readonly number[],
    point2: readonly number[],
    resource: ResourceIdRef,
    identifier: string,
    options: GeometryAnnotationOptions = {},
  ): Promise<string> {
    return this.#addGeometry('line', point1, point2, resource, identifier, options);
  }

  /**
   * A box (`square`) from two opposite corners, sent as its 4 corners; returns its id. Coordinates
   * as in {@link AnnotationsApi.addLineAnnotation}; `frame`-scoped exactly when `frameIndex` is given.
   */
  async addBoxAnnotation(
    corner1: readonly number[],
    corner2: readonly number[],
    resource: ResourceIdRef,
    identifier: string,
    options: GeometryAnnotationOptions = {},
  ): Promise<string> {
    return this.#addGeometry('box', corner1, corner2, resource, identifier, options);
  }

  async #addGeometry(
    shape: 'line' | 'box',
    point1: readonly number[],
    point2: readonly number[],
    resource: ResourceIdRef,
    identifier: string,
    options: GeometryAnnotationOptions,
  ): Promise<string> {
    const resourceId = idOf(resource, 'resource');
    checkModelId(options.modelId, 'modelId');
    this.#images ??= new AnnotationImages(new ResourcesApi(this.#context, this.#pageSize));
    const image =
      options.metadata !== undefined
        ? AnnotationImages.fromMetadata(options.metadata)
        : await this.#images.imageOf(resource as ResourceRef, options);
    const body = geometryAnnotationPayload({
      shape,
      identifier,
      points: [point1, point2],
      ...(options.coordsSystem !== undefined ? { coordsSystem: options.coordsSystem } : {}),
      ...(options.frameIndex !== undefined ? { frameIndex: options.frameIndex } : {}),
      image,
      ...(options.worklistId !== undefined ? { worklistId: options.worklistId } : {}),
      ...(options.importedFrom !== undefined ? { importedFrom: options.importedFrom } : {}),
      ...(options.authorEmail !== undefined ? { importAuthor: options.authorEmail } : {}),
      ...(options.modelId !== undefined ? { modelId: options.modelId } : {}),
      ...(options.source !== undefined ? { source: options.source } : {}),
    });
    const [id] = await this.#post(resourceId, [body], options);
    return id as string;
  }

  /** An image-wide category (`type: category`, `scope: image`); returns its id. */
  async createImageClassification(
    resource: ResourceIdRef,
    identifier: string,
    value: string,
    options: AnnotationProvenance & CallOptions = {},
  ): Promise<string> {
    if (typeof value !== 'string' || value === '')
      throw new ValidationError('value', value, 'a non-empty string');
    return this.create(
      resource,
      { ...provenance(options), type: 'category', identifier, scope: 'image', value },
      options,
    );
  }

  /** An image-wide number: `integer` for an integer value, else `float`; returns its id. */
  async createNumericAnnotation(
    resource: ResourceIdRef,
    identifier: string,
    value: number,
    options: AnnotationProvenance & CallOptions & { units?: string } = {},
  ): Promise<string> {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ValidationError('value', value, 'a finite number');
    }
    const annotation: NewAnnotation = {
      ...provenance(options),
      type: Number.isInteger(value) ? 'integer' : 'float',
      identifier,
      scope: 'image',
      value,
    };
    if (options.units !== undefined) annotation.units = options.units;
    return this.create(resource, annotation, options);
  }

  /** Renames an annotation and/or moves it to a project; returns it as the server now has it. */
  async patch(
    annotation: AnnotationRef,
    changes: { identifier?: string; project?: string | { readonly id: string } },
    options?: CallOptions,
  ): Promise<AnnotationEntity> {
    const id = idOf(annotation, 'annotation');
    const json: Record<string, string> = {};
    if (changes.identifier !== undefined) {
      if (typeof changes.identifier !== 'string' || changes.identifier.trim() === '') {
        throw new ValidationError('identifier', changes.identifier, 'a non-empty string');
      }
      json.identifier = changes.identifier;
    }
    if (changes.project !== undefined) json.project_id = idOf(changes.project, 'project');
    if (Object.keys(json).length === 0)
      throw new ValidationError('changes', changes, 'identifier and/or project');
    const ctx = await this.#context();
    const body = await relabelNotFound(
      () =>
        ctx.http.request({
          method: 'PATCH',
          path: `annotations/${id}`,
          json,
          retrySafe: true,
          ...callOpts(options),
        }),
      'annotation',
      { id },
    );
    return annotationEntity(body, this.entityLinks);
  }

  /** Approves (publishes) an annotation; returns it as the server now has it. */
  async approve(annotation: AnnotationRef, options?: CallOptions): Promise<AnnotationEntity> {
    const id = idOf(annotation, 'annotation');
    const ctx = await this.#context();
    const body = await relabelNotFound(
      () =>
        ctx.http.request({
          method: 'PATCH',
          path: `annotations/${id}/approve`,
          retrySafe: true,
          ...callOpts(options),
        }),
      'annotation',
      { id },
    );
    return annotationEntity(body, this.entityLinks);
  }

  /** The file attached to an annotation (a segmentation mask...), as bytes. */
  downloadFile(annotation: AnnotationRef, options?: CallOptions): Promise<Uint8Array>;
  /**
   * The file attached to an annotation, streamed to `savePath` (through a temporary file renamed at
   * the end; an error answer is an error, never the file's content).
   */
  downloadFile(
    annotation: AnnotationRef,
    options: StreamToFileOptions & { savePath: string },
  ): Promise<FileWritten>;
  async downloadFile(
    annotation: AnnotationRef,
    options?: StreamToFileOptions & { savePath?: string },
  ): Promise<Uint8Array | FileWritten> {
    const entity = typeof annotation === 'string' ? await this.getById(annotation, options) : annotation;
    const id = idOf(entity, 'annotation');
    const resourceId = entityId(entity.resourceId, 'annotation.resource_id');
    const path = `annotations/${resourceId}/annotations/${id}/file`;
    const notFound = { resourceType: 'annotation file', params: { id, resource_id: resourceId } };
    if (options?.savePath !== undefined) {
      requireString(options.savePath, 'savePath');
      return streamToFile(this.#context, { path }, options.savePath, notFound, options);
    }
    const ctx = await this.#context();
    const response = await relabelNotFound(
      () => ctx.http.requestBytes({ method: 'GET', path, ...callOpts(options) }),
      notFound.resourceType,
      notFound.params,
    );
    return response.bytes;
  }

  /**
   * Per-frame segmentations: one annotation per label and frame, each with its mask uploaded as an
   * 8-bit grayscale 0/255 PNG. Integer label maps (grayscale/palette PNGs, `{ data, shape }` arrays)
   * keep every label value; colour label maps (RGB/RGBA PNGs, `[C, H, W, F]` arrays) give one label
   * per colour. NIfTI volumes go through {@link AnnotationsApi.uploadVolumeSegmentation}. Returns the
   * created ids in frame order, then label order. Bad input is a `ValidationError` or
   * `SegmentationError` before any request.
   */
  async uploadSegmentations(
    resource: ResourceIdRef,
    file: FrameSegmentationInput,
    options: UploadFrameSegmentationsOptions = {},
  ): Promise<string[]> {
    const resourceId = idOf(resource, 'resource');
    checkModelId(options.modelId, 'modelId');
    return uploadFrameSegmentations(await this.#context(), resourceId, file, options);
  }

  /**
   * One volume segmentation (`POST /annotations/{rid}/segmentations/file`): a `.nii`/`.nii.gz` path or
   * bytes sent as they are, or label voxels with their shape and affine written as one NIfTI file.
   * `name` maps label values to identifiers (`segmentation_map`). Returns the created annotation ids.
   */
  async uploadVolumeSegmentation(
    resource: ResourceIdRef,
    file: string | Uint8Array | VolumeArray,
    options: UploadVolumeSegmentationOptions = {},
  ): Promise<string[]> {
    const resourceId = idOf(resource, 'resource');
    checkModelId(options.modelId, 'modelId');
    return uploadVolume(await this.#context(), resourceId, file, options);
  }

  /**
   * Downloads the files of many annotations to the given paths (one per annotation), a bounded
   * number at a time. Never throws for one annotation: each result says whether it was saved.
   */
  async downloadMultipleFiles(
    annotations: readonly AnnotationRef[],
    savePaths: readonly string[],
    options: CallOptions & { concurrency?: number } = {},
  ): Promise<AnnotationFileDownload[]> {
    const ids = annotations.map((a, i) => idOf(a, `annotations[${i}]`));
    if (!Array.isArray(savePaths) || savePaths.length !== ids.length) {
      throw new ValidationError('savePaths', savePaths, `${ids.length} paths (one per annotation)`);
    }
    const ctx = await this.#context();
    const settled = await mapSettled(
      annotations,
      options.concurrency ?? ctx.concurrency,
      async (annotation, i) => {
        await this.downloadFile(annotation, { ...callOpts(options), savePath: savePaths[i] as string });
      },
      callOpts(options),
    );
    return settled.map((s, i) => ({
      annotationId: ids[i] as string,
      path: savePaths[i] as string,
      ok: s.ok,
      ...(s.ok ? {} : { error: s.error }),
    }));
  }

  /** Deletes one annotation. */
  async delete(annotation: AnnotationRef, options?: CallOptions): Promise<void> {
    const id = idOf(annotation, 'annotation');
    const ctx = await this.#context();
    await relabelNotFound(
      () => ctx.http.request({ method: 'DELETE', path: `annotations/${id}`, ...callOpts(options) }),
      'annotation',
      { id },
    );
  }

  /** Deletes many annotations in one request (all or none); nothing is sent for none. */
  async bulkDelete(annotations: readonly AnnotationRef[], options?: CallOptions): Promise<void> {
    const ids = annotations.map((a, i) => idOf(a, `annotations[${i}]`));
    if (ids.length === 0) return;
    const ctx = await this.#context();
    await ctx.http.request({
      method: 'POST',
      path: 'annotations/delete-batch',
      json: { ids },
      // Deleting the same ids twice changes nothing.
      retrySafe: true,
      ...callOpts(options),
    });
  }
}

/** The keys of a creatable annotation; the rest of an entity (id, dates, status...) is the server's. */
const CREATE_KEYS = new Set([
  'value',
  'type',
  'identifier',
  'scope',
  'frame_index',
  'annotation_worklist_id',
  'imported_from',
  'import_author',
  'units',
  'geometry',
  'is_model',
  'model_id',
  'source',
]);

/** The wire element re-creating an entity: its creatable keys in their order, either spelling read. */
function entityBody(entity: AnnotationEntity): Record<string, unknown> {
  const json = entity.toJSON();
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (CREATE_KEYS.has(key) && value !== null && value !== undefined) out[key] = value;
  }
  out.type ??= entity.type;
  out.identifier ??= entity.identifier;
  if (out.scope === 'frame' && out.frame_index === undefined && entity.frameIndex !== null) {
    out.frame_index = entity.frameIndex;
  }
  out.source ??= 'imported';
  return out;
}

/**
 * A model reference is the model's id or name as the platform knows it: anything but a non-empty
 * string (a number, an object, '') would be sent as text the platform cannot match to a model.
 */
function checkModelId(value: unknown, field: string): void {
  if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) {
    throw new ValidationError(field, value, 'a non-empty model id or name');
  }
}

function provenance(options: AnnotationProvenance): AnnotationProvenance {
  const out: AnnotationProvenance = {};
  if (options.worklistId !== undefined) out.worklistId = options.worklistId;
  if (options.importedFrom !== undefined) out.importedFrom = options.importedFrom;
  if (options.authorEmail !== undefined) out.authorEmail = options.authorEmail;
  if (options.modelId !== undefined) out.modelId = options.modelId;
  if (options.source !== undefined) out.source = options.source;
  return out;
}

/** The ids the creation route answers, one per element sent; an element with `error` fails the call. */
function createdIds(answer: unknown, expected: number, url: string): string[] {
  const failed = Array.isArray(answer)
    ? answer.find((item) => item && typeof item === 'object' && 'error' in item)
    : undefined;
  if (
    failed !== undefined ||
    !Array.isArray(answer) ||
    answer.length !== expected ||
    !answer.every((id) => typeof id === 'string')
  ) {
    throw new APIBodyError(
      `Creating annotations answered ${JSON.stringify(answer)?.slice(0, 300)}, expected ${expected} annotation ids`,
      { body: answer, method: 'POST', url },
    );
  }
  return answer as string[];
}
