import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Paginated } from '@datamint/core';
import {
  type CallOptions,
  callOpts,
  createOnce,
  type HandlerContext,
  type ListOptions,
  pathSegment,
  relabelNotFound,
  requireString,
} from '../context';
import { UploadFileError, ValidationError } from '../errors';
import { bytesContent, type MultipartPart, multipartBody } from '../upload/multipart-body';
import { WorklistEntity } from './entities/worklist';
import type { EntityRefetch } from './entity';
import { type EntityIdRef, entityId, idOf } from './ids';
import { paged, pageItems } from './pages';
import {
  type AnnotationExportFilter,
  type FileWritten,
  type NotFoundLabel,
  rawCall,
  type StreamToFileOptions,
  streamAnnotationExport,
} from './requests';

/** A file to send: a local path, or bytes with the name to give them. */
export type WorklistFileInput =
  | string
  | {
      /** The file name to send (its base name only). */
      readonly name: string;
      /** The file's content. */
      readonly data: Uint8Array;
    };

/** Statuses of `api.annotationWorklists.updateAnnotationStatus`. */
export type WorklistAnnotationStatus = 'opened' | 'annotated' | 'closed' | 'approved' | 'revision_request';
const ANNOTATION_STATUSES: readonly WorklistAnnotationStatus[] = [
  'opened',
  'annotated',
  'closed',
  'approved',
  'revision_request',
];

/** One label of a worklist's segmentation group. */
export interface SegmentationDefinition {
  /** The label's name. */
  identifier: string;
  /** Display colour, e.g. `#ff0000`. */
  color?: string;
  /** The integer value of the label in masks. */
  index?: number;
  /** Other fields the platform accepts. */
  [key: string]: unknown;
}

/** Options of `api.annotationWorklists.downloadAnnotations`. */
export interface DownloadWorklistAnnotationsOptions extends StreamToFileOptions, AnnotationExportFilter {
  /** `csv` (default) or `excel`. */
  format?: 'csv' | 'excel';
}

/** A worklist given by id or as the entity. */
export type WorklistRef = string | WorklistEntity;

/** Options of `api.annotationWorklists.create`; unset ones are not sent. */
export interface CreateWorklistOptions extends CallOptions {
  /** Free text shown with the worklist. */
  description?: string;
  /** Label specs: `{ type, identifier, required, scope, values? }` (`values` for categories). */
  annotations?: readonly Record<string, unknown>[];
  /** Who annotates: `{ email, expertise_level? }`. */
  annotators?: readonly {
    /** The annotator's e-mail. */
    email: string;
    /** How experienced the annotator is. */
    expertise_level?: 'learner' | 'trained' | 'expert';
  }[];
  /** Frame label names. */
  frameLabels?: readonly string[];
  /** Image label names. */
  imageLabels?: readonly string[];
  /** `{ segmentationValueType, definitions }`. */
  segmentationData?: Record<string, unknown>;
  /** The project the worklist belongs to (id or entity). */
  project?:
    | string
    | {
        /** The project's id. */
        readonly id: string;
      };
}

/**
 * `api.annotationWorklists` (alias `api.annotationSets`): annotation worklists.
 * @example
 * ```ts
 * import { Api } from '@datamint/client';
 *
 * const api = await Api.connect();
 * const resources = await api.resources.getList({ status: 'inbox', limit: 10 }).toArray();
 * const worklist = await api.annotationWorklists.create('Review', resources, { imageLabels: ['ok', 'redo'] });
 * await api.annotationWorklists.patch(worklist, { name: 'Review (round 2)' });
 * await api.close();
 * ```
 */
export class AnnotationWorklistsApi {
  readonly #context: () => Promise<HandlerContext>;
  readonly #pageSize: number;

  /** @internal Built by `Api`. */
  constructor(context: () => Promise<HandlerContext>, pageSize = 5000) {
    this.#context = context;
    this.#pageSize = pageSize;
  }

  /** What the worklists this group returns read themselves again with. */
  readonly #entityLinks: EntityRefetch = {
    refetch: async (id, options) => (await this.getById(id, options)).toJSON(),
  };

  /**
   * Every worklist of the customer, lazily paged, optionally of one status (the older listing
   * `GET /annotationsets`, which the platform client no longer offers).
   */
  getList(options: ListOptions & { status?: string } = {}): Paginated<WorklistEntity> {
    return paged(
      this.#context,
      { pageSize: this.#pageSize, ...options },
      {
        method: 'GET',
        path: 'annotationsets',
        query: options.status === undefined ? {} : { status: options.status },
        field: 'worklists',
        build: (item) => new WorklistEntity(item, this.#entityLinks),
      },
    );
  }

  /** Same as `getList` without filters. */
  getAll(options: ListOptions = {}): Paginated<WorklistEntity> {
    return this.getList(options);
  }

  /** Creates a worklist over the given resources. */
  async create(
    name: string,
    resources: readonly EntityIdRef[],
    options: CreateWorklistOptions = {},
  ): Promise<WorklistEntity> {
    if (typeof name !== 'string' || name.trim() === '')
      throw new ValidationError('name', name, 'a non-empty string');
    const json: Record<string, unknown> = {
      name,
      resource_ids: resources.map((r, i) => idOf(r, `resources[${i}]`)),
    };
    if (options.description !== undefined) json.description = options.description;
    if (options.annotations !== undefined) json.annotations = [...options.annotations];
    if (options.annotators !== undefined) json.annotators = [...options.annotators];
    if (options.frameLabels !== undefined) json.frame_labels = [...options.frameLabels];
    if (options.imageLabels !== undefined) json.image_labels = [...options.imageLabels];
    if (options.segmentationData !== undefined) json.segmentation_data = options.segmentationData;
    if (options.project !== undefined) json.project_id = idOf(options.project, 'project');
    const ctx = await this.#context();
    const body = await ctx.http.request<Record<string, unknown>>({
      method: 'POST',
      path: 'annotationsets',
      json,
      ...createOnce(),
      ...callOpts(options),
    });
    // Some platform versions answer only `{ id }`: fetch the whole worklist then.
    if (body && typeof body === 'object' && !('name' in body) && typeof body.id === 'string') {
      return this.getById(body.id, options);
    }
    return new WorklistEntity(body, this.#entityLinks);
  }

  /** One worklist; an unknown id is `ResourceNotFoundError('annotation worklist', {id})`. */
  async getById(worklistId: string, options?: CallOptions): Promise<WorklistEntity> {
    const id = entityId(worklistId, 'worklistId');
    const ctx = await this.#context();
    const body = await relabelNotFound(
      () => ctx.http.request({ method: 'GET', path: `annotationsets/${id}`, ...callOpts(options) }),
      'annotation worklist',
      { id },
    );
    return new WorklistEntity(body, this.#entityLinks);
  }

  /** Changes fields of a worklist (`{ name }`, `{ status }`, `{ annotations }`...). */
  async patch(worklist: WorklistRef, changes: Record<string, unknown>, options?: CallOptions): Promise<void> {
    const id = idOf(worklist, 'worklist');
    if (!changes || typeof changes !== 'object' || Object.keys(changes).length === 0) {
      throw new ValidationError('changes', changes, 'an object with at least one field');
    }
    const ctx = await this.#context();
    await relabelNotFound(
      () =>
        ctx.http.request({
          method: 'PATCH',
          path: `annotationsets/${id}`,
          json: changes,
          retrySafe: true,
          ...callOpts(options),
        }),
      'annotation worklist',
      { id },
    );
  }

  /** The worklists of a project (the platform's `worklist_id`/`worklist_name` read as `id`/`name`). */
  async getByProject(project: EntityIdRef, options?: CallOptions): Promise<WorklistEntity[]> {
    const id = idOf(project, 'project');
    const ctx = await this.#context();
    const body = await relabelNotFound(
      () => ctx.http.request({ method: 'GET', path: `projects/${id}/worklists`, ...callOpts(options) }),
      'project',
      { id },
    );
    return pageItems(body, 'worklists', `GET /projects/${id}/worklists`).map((item) => {
      const raw = { ...(item as Record<string, unknown>) };
      if (!('id' in raw) && 'worklist_id' in raw) raw.id = raw.worklist_id;
      if (!('name' in raw) && 'worklist_name' in raw) raw.name = raw.worklist_name;
      return new WorklistEntity(raw, this.#entityLinks);
    });
  }
  /** The worklist's segmentation labels (as the server sends them: `{ groups: { <label>: { index, ... } } }`). */
  async getSegmentationGroup(worklist: WorklistRef, options?: CallOptions): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    return rawCall(
      this.#context,
      { method: 'GET', path: `annotationsets/${id}/segmentation-group` },
      nf(id),
      options,
    );
  }

  /** Replaces the worklist's segmentation labels; `renames` maps old identifiers to new ones. */
  async updateSegmentationGroup(
    worklist: WorklistRef,
    definitions: readonly SegmentationDefinition[],
    options: CallOptions & {
      segmentationValueType?: 'single_label' | 'multi_label' | 'float';
      renames?: readonly Record<string, unknown>[];
    } = {},
  ): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    if (!Array.isArray(definitions)) throw new ValidationError('definitions', definitions, 'an array');
    definitions.forEach((d, i) => {
      requireString(d?.identifier, `definitions[${i}].identifier`);
    });
    const json: Record<string, unknown> = {
      segmentationData: {
        segmentationValueType: options.segmentationValueType ?? 'single_label',
        definitions: [...definitions],
      },
    };
    if (options.renames !== undefined) json.renames = [...options.renames];
    return rawCall(
      this.#context,
      { method: 'PUT', path: `annotationsets/${id}/segmentation-group`, json, retrySafe: true },
      nf(id),
      options,
    );
  }

  /** Removes one label from the worklist's segmentation group. */
  async deleteSegmentationGroup(
    worklist: WorklistRef,
    identifier: string,
    options?: CallOptions,
  ): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    const label = pathSegment(identifier, 'identifier');
    return rawCall(
      this.#context,
      { method: 'DELETE', path: `annotationsets/${id}/segmentation-group/${label}` },
      { resourceType: 'segmentation label', params: { worklist_id: id, identifier } },
      options,
    );
  }

  /**
   * Sets the segmentation labels from a `.yaml`, `.yml`, `.csv` or `.json` file (a path is read; its
   * base name is sent, never the local path). `replaceExisting: false` keeps the other labels.
   */
  async uploadSegmentationGroup(
    worklist: WorklistRef,
    file: WorklistFileInput,
    options: CallOptions & { replaceExisting?: boolean } = {},
  ): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    const { name, data } = await readInput(file, 'file');
    if (!/\.(ya?ml|csv|json)$/i.test(name))
      throw new ValidationError('file', name, 'a .yaml, .yml, .csv or .json file');
    return this.#multipart(
      `annotationsets/${id}/segmentation-group/upload`,
      [
        { name: 'replace_existing', value: String(options.replaceExisting ?? true) },
        { name: 'file', filename: name, contentType: contentTypeOf(name), content: bytesContent(data) },
      ],
      nf(id),
      options,
    );
  }

  /** One annotator's status in the worklist (as the server sends it). */
  async getAnnotatorStatus(
    worklist: WorklistRef,
    annotatorEmail: string,
    options?: CallOptions,
  ): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    const email = pathSegment(annotatorEmail, 'annotatorEmail');
    return rawCall(
      this.#context,
      { method: 'GET', path: `annotationsets/${id}/users/${email}` },
      nf(id),
      options,
    );
  }

  /** Segmentations of a resource in the worklist: everyone's (`all`, default) or one annotator's. */
  async getSegmentations(
    worklist: WorklistRef,
    resource: EntityIdRef,
    options: CallOptions & { all?: boolean; annotatorEmail?: string } = {},
  ): Promise<unknown> {
    return this.#resourceGet(worklist, resource, 'segmentations', options);
  }

  /** Annotations of a resource in the worklist: everyone's (`all`, default) or one annotator's. */
  async getAnnotations(
    worklist: WorklistRef,
    resource: EntityIdRef,
    options: CallOptions & { all?: boolean; annotatorEmail?: string } = {},
  ): Promise<unknown> {
    return this.#resourceGet(worklist, resource, 'annotations', options);
  }

  /** AI-made segmentations of a resource in the worklist. */
  async getAiSegmentations(
    worklist: WorklistRef,
    resource: EntityIdRef,
    options?: CallOptions,
  ): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    const rid = idOf(resource, 'resource');
    return rawCall(
      this.#context,
      { method: 'GET', path: `annotationsets/${id}/resources/${rid}/ai_segmentations` },
      nfResource(id, rid),
      options,
    );
  }

  /**
   * Uploads segmentation annotations of a resource: `payload` items `{ identifier, frame_index,
   * width, height, ... }` and, optionally, their mask image (one image per call; its base name is
   * sent, never the local path). Returns the created ids.
   */
  async uploadAnnotations(
    worklist: WorklistRef,
    resource: EntityIdRef,
    payload: readonly Record<string, unknown>[],
    options: CallOptions & { image?: WorklistFileInput } = {},
  ): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    const rid = idOf(resource, 'resource');
    if (!Array.isArray(payload) || payload.length === 0)
      throw new ValidationError('payload', payload, 'a non-empty array of annotations');
    payload.forEach((p, i) => {
      requireString(p?.identifier, `payload[${i}].identifier`);
    });
    const parts: MultipartPart[] = [{ name: 'payload', value: JSON.stringify(payload) }];
    if (options.image !== undefined) {
      const { name, data } = await readInput(options.image, 'image');
      parts.push({
        name: 'images',
        filename: name,
        contentType: contentTypeOf(name),
        content: bytesContent(data),
      });
    }
    return this.#multipart(
      `annotationsets/${id}/resources/${rid}/segmentations`,
      parts,
      nfResource(id, rid),
      options,
    );
  }

  /** Sets the annotation status of a resource in the worklist (default `closed`). */
  async updateAnnotationStatus(
    worklist: WorklistRef,
    resource: EntityIdRef,
    options: CallOptions & {
      status?: WorklistAnnotationStatus;
      annotatorEmail?: string;
      message?: string;
      path?: string;
    } = {},
  ): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    const rid = idOf(resource, 'resource');
    const status = options.status ?? 'closed';
    if (!ANNOTATION_STATUSES.includes(status))
      throw new ValidationError('status', status, ANNOTATION_STATUSES.join(', '));
    const json: Record<string, unknown> = { status };
    if (options.annotatorEmail !== undefined) json.annotator = options.annotatorEmail;
    if (options.message !== undefined) json.message = options.message;
    if (options.path !== undefined) json.path = options.path;
    return rawCall(
      this.#context,
      { method: 'POST', path: `annotationsets/${id}/resources/${rid}/status`, json, retrySafe: true },
      nfResource(id, rid),
      options,
    );
  }

  /** Reopens an annotator's work on a resource of the worklist. */
  async resetAnnotatorStatus(
    worklist: WorklistRef,
    resource: EntityIdRef,
    annotatorEmail: string,
    options?: CallOptions,
  ): Promise<void> {
    const id = idOf(worklist, 'worklist');
    const rid = idOf(resource, 'resource');
    const email = pathSegment(annotatorEmail, 'annotatorEmail');
    await rawCall(
      this.#context,
      {
        method: 'DELETE',
        path: `annotationsets/${id}/resources/${rid}/annotator/${email}/status-reset`,
        retrySafe: true,
      },
      nfResource(id, rid),
      options,
    );
  }

  /** Adds a user (by e-mail) as annotator, or changes their status and expertise. */
  async setAnnotator(
    worklist: WorklistRef,
    userId: string,
    options: CallOptions & {
      status: 'active' | 'frozen';
      expertiseLevel: 'learner' | 'trained' | 'expert';
      returnUrl?: string;
    },
  ): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    const user = pathSegment(userId, 'userId');
    if (options?.status !== 'active' && options?.status !== 'frozen')
      throw new ValidationError('status', options?.status, 'active or frozen');
    if (!['learner', 'trained', 'expert'].includes(options.expertiseLevel))
      throw new ValidationError('expertiseLevel', options.expertiseLevel, 'learner, trained or expert');
    const json: Record<string, unknown> = { status: options.status, expertise_level: options.expertiseLevel };
    if (options.returnUrl !== undefined) json.return_url = options.returnUrl;
    return rawCall(
      this.#context,
      { method: 'POST', path: `annotationsets/${id}/annotators/${user}`, json, retrySafe: true },
      nf(id),
      options,
    );
  }

  /** Removes an annotator (by e-mail) from the worklist. */
  async removeAnnotator(worklist: WorklistRef, userId: string, options?: CallOptions): Promise<void> {
    const id = idOf(worklist, 'worklist');
    const user = pathSegment(userId, 'userId');
    await rawCall(
      this.#context,
      { method: 'DELETE', path: `annotationsets/${id}/annotators/${user}` },
      { resourceType: 'worklist annotator', params: { worklist_id: id, user_id: userId } },
      options,
    );
  }

  /** Adds and/or removes resources of the worklist. */
  async updateResources(
    worklist: WorklistRef,
    change: CallOptions & { add?: readonly EntityIdRef[]; remove?: readonly EntityIdRef[] },
  ): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    if (change?.add === undefined && change?.remove === undefined)
      throw new ValidationError('change', change, 'resources to add and/or remove');
    const json: Record<string, unknown> = {};
    if (change.add !== undefined) json.resource_ids_to_add = change.add.map((r, i) => idOf(r, `add[${i}]`));
    if (change.remove !== undefined)
      json.resource_ids_to_delete = change.remove.map((r, i) => idOf(r, `remove[${i}]`));
    return rawCall(
      this.#context,
      { method: 'POST', path: `annotationsets/${id}/resources`, json, retrySafe: true },
      nf(id),
      change,
    );
  }

  /** Per-annotator, per-resource statuses, optionally filtered (as the server sends them). */
  async getAnnotationStatuses(
    worklist: WorklistRef,
    filter: CallOptions & { status?: string; userId?: string; resource?: EntityIdRef } = {},
  ): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    return rawCall(
      this.#context,
      {
        method: 'GET',
        path: `annotationsets/${id}/annotation-statuses`,
        query: {
          status: filter.status,
          user_id: filter.userId,
          resource_id: filter.resource === undefined ? undefined : idOf(filter.resource, 'resource'),
        },
      },
      nf(id),
      filter,
    );
  }

  /** Per-annotator statistics, optionally of one annotator (as the server sends them). */
  async getAnnotatorsStatistics(
    worklist: WorklistRef,
    options: CallOptions & { annotatorEmail?: string } = {},
  ): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    return rawCall(
      this.#context,
      {
        method: 'GET',
        path: `annotationsets/${id}/annotators-statistic`,
        query: { email: options.annotatorEmail },
      },
      nf(id),
      options,
    );
  }

  /** Per-label annotation statistics (as the server sends them). */
  async getAnnotationsStatistics(worklist: WorklistRef, options?: CallOptions): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    return rawCall(
      this.#context,
      { method: 'GET', path: `annotationsets/${id}/annotations-statistic` },
      nf(id),
      options,
    );
  }

  /**
   * Streams the worklist's annotations (CSV, or Excel with `format: 'excel'`) to `outputPath`;
   * an error answer is an error, never the file's content.
   */
  async downloadAnnotations(
    worklist: WorklistRef,
    outputPath: string,
    options: DownloadWorklistAnnotationsOptions = {},
  ): Promise<FileWritten> {
    const id = idOf(worklist, 'worklist');
    return streamAnnotationExport(
      this.#context,
      `annotationsets/${id}/download-annotations`,
      outputPath,
      { format: options.format ?? 'csv', formats: ['csv', 'excel'], notFound: nf(id) },
      options,
    );
  }

  async #resourceGet(
    worklist: WorklistRef,
    resource: EntityIdRef,
    what: 'segmentations' | 'annotations',
    options: CallOptions & { all?: boolean; annotatorEmail?: string },
  ): Promise<unknown> {
    const id = idOf(worklist, 'worklist');
    const rid = idOf(resource, 'resource');
    return rawCall(
      this.#context,
      {
        method: 'GET',
        path: `annotationsets/${id}/resources/${rid}/${what}`,
        query: { all: options.all ?? true, annotator: options.annotatorEmail },
      },
      nfResource(id, rid),
      options,
    );
  }

  async #multipart(
    path: string,
    parts: MultipartPart[],
    notFound: NotFoundLabel,
    options: CallOptions,
  ): Promise<unknown> {
    const body = multipartBody(parts);
    const ctx = await this.#context();
    return relabelNotFound(
      () =>
        ctx.http.request<unknown>({
          method: 'POST',
          path,
          body: () => body.chunks(),
          headers: { 'content-type': body.contentType, 'content-length': String(body.length) },
          ...createOnce(),
          ...callOpts(options),
        }),
      notFound.resourceType,
      notFound.params,
    );
  }
}

function nf(id: string): NotFoundLabel {
  return { resourceType: 'annotation worklist', params: { id } };
}

function nfResource(worklistId: string, resourceId: string): NotFoundLabel {
  return {
    resourceType: 'annotation worklist resource',
    params: { worklist_id: worklistId, resource_id: resourceId },
  };
}

async function readInput(
  input: WorklistFileInput,
  field: string,
): Promise<{ name: string; data: Uint8Array }> {
  if (typeof input === 'string') {
    requireString(input, field);
    try {
      return { name: basename(input), data: await readFile(input) };
    } catch (error) {
      throw new UploadFileError(input, error);
    }
  }
  if (!input || typeof input !== 'object' || !(input.data instanceof Uint8Array))
    throw new ValidationError(field, input, 'a file path or { name, data: Uint8Array }');
  requireString(input.name, `${field}.name`);
  return { name: basename(input.name), data: input.data };
}

function contentTypeOf(name: string): string {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  const types: Record<string, string> = {
    yaml: 'application/x-yaml',
    yml: 'application/x-yaml',
    csv: 'text/csv',
    json: 'application/json',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
  };
  return types[ext] ?? 'application/octet-stream';
}
