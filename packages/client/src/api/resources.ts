import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { mapSettled, Paginated } from '@datamint/core';
import { pythonJsonDumps } from '@datamint/core/internal';
import { makeDirectory } from '@datamint/core/internal/node';
import {
  type CallOptions,
  callOpts,
  formatDay,
  type HandlerContext,
  type ListOptions,
  relabelNotFound,
} from '../context';
import { ValidationError } from '../errors';
import { publishOne, RESOURCE_FIELDS, RESOURCE_STATUSES } from '../resources';
import type { ResourceFields, ResourceStatus } from '../types';
import type { UploadSource } from '../upload/inputs';
import type { UploadPlan } from '../upload/plan-types';
import { type AnnotationEntity, type AnnotationLinks, annotationEntity } from './entities/annotation';
import { ChannelEntity } from './entities/channel';
import { type FetchFileDataOptions, ResourceEntity, type ResourceLinks } from './entities/resource';
import { entityId, idOf } from './ids';
import { paged } from './pages';
import { ProjectsApi } from './projects';
import { ResourceCache, type ResourceCacheOptions, type ResourceVersion } from './resource-cache';
import { type ApiUploadOptions, type ApiUploadResult, apiUploadResources } from './resource-upload';

/** A resource given by id or as the entity. */
export type ResourceRef = string | ResourceEntity;

/** Filters of `api.resources.getList`; all are combined (AND). */
export interface ResourceListOptions extends ListOptions {
  /** Only resources in this status. */
  status?: ResourceStatus;
  /** First day of `created_at` (inclusive). */
  fromDate?: Date | string;
  /** Day after the last one of `created_at` (the platform treats it as exclusive). */
  toDate?: Date | string;
  /** Resources having any of these tags. */
  tags?: string | readonly string[];
  /** Only resources of this modality (`CT`, `MR`...). */
  modality?: string;
  /** Only resources of this mimetype. */
  mimetype?: string;
  /**
   * Keeps resources whose `source_filepath`, made absolute, equals this path made absolute. The
   * platform has no such filter: the whole listing is read and filtered here.
   */
  sourceFilepath?: string;
  /** Field to order by. */
  orderField?: ResourceFields;
  /** Order ascending (default: the server's). */
  orderAscending?: boolean;
  /** Upload channel name. */
  channel?: string;
  /** Resources in every one of these projects (names, or project objects with a `name`). */
  projectName?:
    | string
    | {
        /** The project's name. */
        readonly name: string;
      }
    | ReadonlyArray<
        | string
        | {
            /** The project's name. */
            readonly name: string;
          }
      >;
  /** Case-insensitive part of the file name. */
  filename?: string;
}

/** Where and how `downloadMultipleResources` writes. */
export interface DownloadMultipleOptions extends CallOptions {
  /** Skip a resource whose destination already exists (default `true`: overwrite). */
  overwrite?: boolean;
  /** Downloads in flight at once (default: the Api's `concurrency`). */
  concurrency?: number;
}

/** One resource of `downloadMultipleResources`: its file, or why it failed (the others still download). */
export type DownloadMultipleResult = DownloadedFile | FailedDownload;

/** A resource file that was written (or skipped because it existed). */
export interface DownloadedFile {
  /** Always `true`. */
  ok: true;
  /** The resource downloaded. */
  resourceId: string;
  /** Where the file is. */
  path: string;
  /** Bytes written (0 when skipped). */
  bytes: number;
  /** True when the file existed and `overwrite` was `false`. */
  skipped: boolean;
}

/** A resource file that could not be downloaded. */
export interface FailedDownload {
  /** Always `false`. */
  ok: false;
  /** The resource that failed. */
  resourceId: string;
  /** Where the file would have been written (nothing is left there). */
  path: string;
  /** Why (`ResourceNotFoundError`, `APIError`, `DownloadWriteError`...). */
  error: unknown;
}

/** One resource of `cacheResources`: where its file is in the cache. */
export interface CachedResource {
  /** The resource. */
  resourceId: string;
  /** The cached file. */
  path: string;
  /** `false` when the cache already held this version. */
  downloaded: boolean;
}

function versionOf(resource: ResourceEntity): ResourceVersion {
  return {
    id: resource.id,
    createdAt: resource.createdAt,
    deletedAt: resource.deletedAt,
    size: resource.size,
  };
}

/** Largest number of ids the platform takes in one bulk delete. */
export const BULK_DELETE_BATCH = 200;

function filterJson(items: readonly string[], filterType: 'union' | 'intersection'): string {
  return pythonJsonDumps({ items: [...items], filterType });
}

function stringList(value: string | readonly string[], field: string): string[] {
  const list = typeof value === 'string' ? [value] : [...value];
  list.forEach((item, i) => {
    if (typeof item !== 'string') throw new ValidationError(`${field}[${i}]`, item, 'a string');
  });
  return list;
}

function projectNames(value: NonNullable<ResourceListOptions['projectName']>): string[] {
  const list = typeof value === 'string' || !Array.isArray(value) ? [value] : [...value];
  return list.map((p, i) => {
    const name = typeof p === 'string' ? p : (p as { name?: unknown })?.name;
    if (typeof name !== 'string' || name === '') {
      throw new ValidationError(`projectName[${i}]`, p, 'a project name or a project');
    }
    return name;
  });
}

/** The query of `GET /resources`, keys in the platform SDK's order (`status` always present). */
export function resourceListQuery(
  options: ResourceListOptions,
): Record<string, string | boolean | undefined> {
  if (options.status !== undefined && !RESOURCE_STATUSES.includes(options.status)) {
    throw new ValidationError('status', options.status, `one of ${RESOURCE_STATUSES.join(', ')}`);
  }
  if (options.orderField !== undefined && !RESOURCE_FIELDS.includes(options.orderField)) {
    throw new ValidationError('orderField', options.orderField, `one of ${RESOURCE_FIELDS.join(', ')}`);
  }
  return {
    from: formatDay(options.fromDate, 'fromDate'),
    to: formatDay(options.toDate, 'toDate'),
    status: options.status ?? '',
    modality: options.modality,
    mimetype: options.mimetype,
    order_field: options.orderField,
    order_by_asc: options.orderAscending,
    channel_name: options.channel,
    filename: options.filename,
    project:
      options.projectName === undefined
        ? undefined
        : filterJson(projectNames(options.projectName), 'intersection'),
    tags: options.tags === undefined ? undefined : filterJson(stringList(options.tags, 'tags'), 'union'),
  };
}

/**
 * `api.resources`: listing, fetching, downloading, publishing, tagging and deleting resources.
 * @example
 * ```ts
 * import { Api } from '@datamint/client';
 *
 * const api = await Api.connect();
 * const [first] = await api.resources.getList({ status: 'inbox', tags: ['chest'], limit: 1 }).toArray();
 * if (first) {
 *   const png = await api.resources.downloadResourceFrame(first, 0);
 *   await api.resources.addTags(first, ['reviewed']);
 *   await api.resources.publishResources(first);
 *   console.log(png.length);
 * }
 * await api.close();
 * ```
 */
export class ResourcesApi {
  readonly #context: () => Promise<HandlerContext>;
  readonly #pageSize: number;
  readonly #annotationLinks: () => AnnotationLinks | undefined;

  /** @internal Built by `Api` (`annotationLinks`: what the annotations of `getAnnotations` fetch with). */
  constructor(
    context: () => Promise<HandlerContext>,
    pageSize: number,
    annotationLinks: () => AnnotationLinks | undefined = () => undefined,
  ) {
    this.#context = context;
    this.#pageSize = pageSize;
    this.#annotationLinks = annotationLinks;
  }

  /** @internal What resource entities built elsewhere (projects) link back to. */
  async links(): Promise<ResourceLinks> {
    const ctx = await this.#context();
    return {
      rootUrl: ctx.http.rootUrl,
      fileBytes: (resource, options) => this.#fileData(resource, options),
      annotationsOf: (id, options) => this.getAnnotations(id, options),
      cache: (resources, options) => this.cacheResources(resources, options),
      refetch: async (id, options) => (await this.getById(id, options)).toJSON(),
    };
  }

  async #fileData(resource: ResourceEntity, options: FetchFileDataOptions = {}): Promise<Uint8Array> {
    if (!options.useCache) return this.downloadResourceFile(resource, options);
    const cache = new ResourceCache(options);
    const version = versionOf(resource);
    const cached = await cache.read(version);
    if (cached) return cached;
    const file = await cache.store(version, async (tmp) => {
      await this.downloadResourceFileTo(resource, tmp, options);
    });
    return new Uint8Array(await readFile(file));
  }

  /**
   * Downloads into the local cache (`~/.datamint`, shared with the Python SDK, or `cacheDir`)
   * every resource whose current version is not there yet, one after another. Ids are looked up
   * first (`GET /resources/{id}`) for their version. Returns where each file is.
   */
  async cacheResources(
    resources: ResourceRef | readonly ResourceRef[],
    options: CallOptions & ResourceCacheOptions = {},
  ): Promise<CachedResource[]> {
    const list = Array.isArray(resources) ? [...resources] : [resources as ResourceRef];
    for (const [i, r] of list.entries()) idOf(r, `resources[${i}]`);
    const cache = new ResourceCache(options);
    const out: CachedResource[] = [];
    for (const ref of list) {
      const entity = typeof ref === 'string' ? await this.getById(ref, options) : ref;
      const version = versionOf(entity);
      const hit = await cache.lookup(version);
      if (hit) {
        out.push({ resourceId: entity.id, path: hit, downloaded: false });
        continue;
      }
      const file = await cache.store(version, async (tmp) => {
        await this.downloadResourceFileTo(entity, tmp, options);
      });
      out.push({ resourceId: entity.id, path: file, downloaded: true });
    }
    return out;
  }

  /**
   * Uploads files, folders and in-memory data as the platform's current client does: DICOM
   * reports left out, slices grouped by series, study, modality, orientation, laterality and
   * size and assembled (ordered by position) into JPEG-LS Lossless multi-frame files, laterality
   * added to the tags, `bypass_inbox` when publishing, and `publishTo` linked in one request at
   * the end. Returns one result per input file, in order; a skipped report has `skipped: true`.
   */
  uploadResources(
    files: UploadPlan | UploadSource | readonly UploadSource[],
    options: ApiUploadOptions = {},
  ): Promise<ApiUploadResult[]> {
    return apiUploadResources(this.#context, this.#projects(), files, options);
  }

  /**
   * Uploads one file (never assembled) and returns the new resource's id; a failure throws
   * (`UploadFileError`, with the cause).
   */
  async uploadResource(file: UploadSource, options: ApiUploadOptions = {}): Promise<string> {
    if (typeof file === 'string' && (await isDirectory(file))) {
      throw new ValidationError('file', file, 'one file (use uploadResources for a folder)');
    }
    const [result] = await this.uploadResources([file], { ...options, assembleDicoms: false });
    if (!result) throw new ValidationError('file', file, 'a file to upload');
    if (!result.ok) throw result.error;
    return result.id;
  }

  #projects(): ProjectsApi {
    return new ProjectsApi(this.#context, this.#pageSize, () => this.links());
  }

  /** Resources matching every given filter, lazily paged (`for await`, or `.toArray()`). */
  getList(options: ResourceListOptions = {}): Paginated<ResourceEntity> {
    const query = resourceListQuery(options);
    let links: ResourceLinks | undefined;
    const context = async () => {
      links ??= await this.links();
      return this.#context();
    };
    if (options.sourceFilepath !== undefined) return this.#bySourcePath(options);
    return paged(
      context,
      { pageSize: this.#pageSize, ...options },
      {
        method: 'GET',
        path: 'resources',
        query,
        field: 'resources',
        build: (item) => new ResourceEntity(item, links as ResourceLinks),
      },
    );
  }

  #bySourcePath(options: ResourceListOptions): Paginated<ResourceEntity> {
    const wanted = path.resolve(options.sourceFilepath as string);
    const { limit, sourceFilepath: _s, ...rest } = options;
    const all = this.getList(rest);
    // One "page" holding every match: the filter needs the whole listing anyway.
    const pageOptions: { pageSize: number; limit?: number; signal?: AbortSignal } = {
      pageSize: Number.MAX_SAFE_INTEGER,
    };
    if (limit !== undefined) pageOptions.limit = limit;
    if (options.signal) pageOptions.signal = options.signal;
    return new Paginated<ResourceEntity>(async ({ offset }) => {
      if (offset > 0) return [];
      const matches: ResourceEntity[] = [];
      for await (const r of all) {
        if (r.sourceFilepath !== null && path.resolve(r.sourceFilepath) === wanted) matches.push(r);
      }
      return matches;
    }, pageOptions);
  }

  /** Every resource (optionally the first `limit`). */
  getAll(options: ListOptions = {}): Paginated<ResourceEntity> {
    return this.getList(options);
  }

  /** One resource; an unknown id is `ResourceNotFoundError('resource', {id})`. */
  async getById(resourceId: string, options?: CallOptions): Promise<ResourceEntity> {
    const id = entityId(resourceId, 'resourceId');
    const ctx = await this.#context();
    const body = await relabelNotFound(
      () => ctx.http.request({ method: 'GET', path: `resources/${id}`, ...callOpts(options) }),
      'resource',
      { id },
    );
    return new ResourceEntity(body, await this.links());
  }

  /** The annotations of a resource (including AI segmentations), optionally of one type. */
  async getAnnotations(
    resource: ResourceRef,
    options: CallOptions & { annotationType?: string } = {},
  ): Promise<AnnotationEntity[]> {
    const id = idOf(resource, 'resource');
    const json: Record<string, unknown> = {};
    if (options.annotationType !== undefined) json.annotation_type = options.annotationType;
    json.load_ai_segmentations = true;
    json.resource_id = id;
    return paged(
      this.#context,
      { pageSize: this.#pageSize, ...callOpts(options) },
      {
        method: 'POST',
        path: 'annotations/search',
        json,
        field: 'annotations',
        build: (item) => annotationEntity(item, this.#annotationLinks()),
      },
    ).toArray();
  }

  /** The stored file's bytes; an unknown id is `ResourceNotFoundError('resource', {resource_id})`. */
  async downloadResourceFile(resource: ResourceRef, options?: CallOptions): Promise<Uint8Array> {
    const id = idOf(resource, 'resource');
    const ctx = await this.#context();
    const response = await relabelNotFound(
      () =>
        ctx.http.requestBytes({
          method: 'GET',
          path: `resources/${id}/file`,
          headers: { accept: 'application/octet-stream' },
          ...callOpts(options),
        }),
      'resource',
      { resource_id: id },
    );
    return response.bytes;
  }

  /**
   * Streams the stored file to `destination` (under a temporary name, renamed when complete, so a
   * failure never leaves a partial file under the final name). Returns the byte count.
   */
  async downloadResourceFileTo(
    resource: ResourceRef,
    destination: string,
    options?: CallOptions,
  ): Promise<number> {
    const id = idOf(resource, 'resource');
    const ctx = await this.#context();
    const result = await relabelNotFound(
      () =>
        ctx.http.download({
          method: 'GET',
          path: `resources/${id}/file`,
          headers: { accept: 'application/octet-stream' },
          destination,
          ...callOpts(options),
        }),
      'resource',
      { resource_id: id },
    );
    return result.bytes;
  }

  /**
   * Streams many files, a bounded number at a time. `destination` is a folder (each file is
   * `<folder>/<resource id>`) or one path per resource. One result per resource, in order: a failed
   * download is reported and the others still complete.
   */
  async downloadMultipleResources(
    resources: readonly ResourceRef[],
    destination: string | readonly string[],
    options: DownloadMultipleOptions = {},
  ): Promise<DownloadMultipleResult[]> {
    const ids = resources.map((r, i) => idOf(r, `resources[${i}]`));
    if (typeof destination !== 'string' && destination.length !== ids.length) {
      throw new ValidationError(
        'destination',
        destination,
        `a folder or ${ids.length} paths (one per resource)`,
      );
    }
    const paths = ids.map((id, i) =>
      typeof destination === 'string' ? path.join(destination, id) : (destination[i] as string),
    );
    // One level at a time: a recursive mkdir loops on folders that take no children (/proc).
    if (typeof destination === 'string') await makeDirectory(destination);
    const ctx = await this.#context();
    const settled = await mapSettled(
      ids,
      options.concurrency ?? ctx.concurrency,
      async (id, i) => {
        const target = paths[i] as string;
        if (options.overwrite === false && (await exists(target))) return { bytes: 0, skipped: true };
        return { bytes: await this.downloadResourceFileTo(id, target, options), skipped: false };
      },
      callOpts(options),
    );
    return settled.map((s, i) => {
      const resourceId = ids[i] as string;
      const target = paths[i] as string;
      return s.ok
        ? { ok: true, resourceId, path: target, ...s.value }
        : { ok: false, resourceId, path: target, error: s.error };
    });
  }

  /**
   * One frame as an image (`GET /resources/{id}/frames/{i}`, PNG or JPEG bytes). For a plain image
   * resource only frame 0 exists and the stored file is returned.
   */
  async downloadResourceFrame(
    resource: ResourceRef,
    frameIndex: number,
    options?: CallOptions,
  ): Promise<Uint8Array> {
    if (!Number.isInteger(frameIndex) || frameIndex < 0) {
      throw new ValidationError('frameIndex', frameIndex, 'an integer >= 0');
    }
    const entity = typeof resource === 'string' ? await this.getById(resource, options) : resource;
    const id = idOf(entity, 'resource');
    if (entity.isImage()) {
      if (frameIndex !== 0) {
        throw new ValidationError('frameIndex', frameIndex, `0 (${entity.filename} is a single image)`);
      }
      return this.downloadResourceFile(id, options);
    }
    const ctx = await this.#context();
    const response = await relabelNotFound(
      () =>
        ctx.http.requestBytes({
          method: 'GET',
          path: `resources/${id}/frames/${frameIndex}`,
          headers: { accept: 'image/*' },
          ...callOpts(options),
        }),
      'resource',
      { resource_id: id, frame_index: frameIndex },
    );
    return response.bytes;
  }

  /**
   * Publishes each resource (one request each, in order). A resource already out of the inbox
   * counts as published.
   */
  async publishResources(
    resources: ResourceRef | readonly ResourceRef[],
    options?: CallOptions,
  ): Promise<void> {
    const ids = refList(resources, 'resources');
    const ctx = await this.#context();
    // One after another, as the platform's SDK does; "not in the inbox" counts as published.
    for (const id of ids) await publishOne(ctx, id, options);
  }

  /** Publishes many resources in one request (`POST /resources/bulk-publish`); nothing is sent for none. */
  async bulkPublish(resources: readonly ResourceRef[], options?: CallOptions): Promise<void> {
    const ids = refList(resources, 'resources');
    if (ids.length === 0) return;
    const ctx = await this.#context();
    await ctx.http.request({
      method: 'POST',
      path: 'resources/bulk-publish',
      json: { resource_ids: ids },
      retrySafe: true,
      ...callOpts(options),
    });
  }

  /**
   * Replaces the tags (de-duplicated, first occurrence kept). One resource (id or entity) uses its
   * own route; an array sets the same tags on all of them in one request.
   */
  async setTags(
    resources: ResourceRef | readonly ResourceRef[],
    tags: readonly string[],
    options?: CallOptions,
  ): Promise<void> {
    const unique = [...new Set(stringList(tags, 'tags'))];
    const ctx = await this.#context();
    if (!Array.isArray(resources)) {
      const id = idOf(resources as ResourceRef, 'resource');
      await relabelNotFound(
        () =>
          ctx.http.request({
            method: 'PUT',
            path: `resources/${id}/tags`,
            json: { tags: unique },
            ...callOpts(options),
          }),
        'resource',
        { resource_id: id },
      );
      return;
    }
    const ids = refList(resources, 'resources');
    if (ids.length === 0) return;
    await ctx.http.request({
      method: 'PUT',
      path: 'resources/tags',
      json: { resource_ids: ids, tags: unique },
      ...callOpts(options),
    });
  }

  /**
   * Adds tags to each resource's current ones (read fresh from the server), one request per group
   * of resources that share the same current tags.
   */
  async addTags(
    resources: ResourceRef | readonly ResourceRef[],
    tags: readonly string[],
    options?: CallOptions,
  ): Promise<void> {
    const added = stringList(tags, 'tags');
    const ids = refList(resources, 'resources');
    const groups = new Map<string, { current: string[]; ids: string[] }>();
    for (const id of ids) {
      const current = (await this.getById(id, options)).tags;
      const key = JSON.stringify(current);
      const group = groups.get(key) ?? { current, ids: [] };
      group.ids.push(id);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      const merged = [...group.current, ...added];
      if (group.ids.length === 1) await this.setTags(group.ids[0] as string, merged, options);
      else await this.setTags(group.ids, merged, options);
    }
  }

  /** Deletes one resource; an unknown id is `ResourceNotFoundError('resource', {resource_id})`. */
  async delete(resource: ResourceRef, options?: CallOptions): Promise<void> {
    const id = idOf(resource, 'resource');
    const ctx = await this.#context();
    await relabelNotFound(
      () => ctx.http.request({ method: 'DELETE', path: `resources/${id}`, ...callOpts(options) }),
      'resource',
      { resource_id: id },
    );
  }

  /** Deletes many resources, at most 200 ids per request, one request after another. */
  async bulkDelete(resources: readonly ResourceRef[], options?: CallOptions): Promise<void> {
    const ids = refList(resources, 'resources');
    const ctx = await this.#context();
    for (let start = 0; start < ids.length; start += BULK_DELETE_BATCH) {
      const batch = ids.slice(start, start + BULK_DELETE_BATCH);
      await ctx.http.request({
        method: 'DELETE',
        path: 'resources',
        query: { resource_ids: batch.join(',') },
        ...callOpts(options),
      });
    }
  }

  /** Resources without annotations, filtered by the given query parameters (e.g. `project_name`, `status`). */
  getNotAnnotated(
    options: ListOptions & { filters?: Record<string, string> } = {},
  ): Paginated<ResourceEntity> {
    let links: ResourceLinks | undefined;
    const context = async () => {
      links ??= await this.links();
      return this.#context();
    };
    return paged(
      context,
      { pageSize: this.#pageSize, ...options },
      {
        method: 'GET',
        path: 'resources/not-annotated',
        query: { ...options.filters },
        field: 'resources',
        build: (item) => new ResourceEntity(item, links as ResourceLinks),
      },
    );
  }

  /** Upload channels and the resources sent through each. */
  listChannels(options: ListOptions & { filters?: Record<string, string> } = {}): Paginated<ChannelEntity> {
    return paged(
      this.#context,
      { pageSize: this.#pageSize, ...options },
      {
        method: 'GET',
        path: 'resources/channels',
        query: { ...options.filters },
        field: 'channels',
        build: (item) => new ChannelEntity(item),
      },
    );
  }
}

function refList(resources: ResourceRef | readonly ResourceRef[], field: string): string[] {
  // A single id string is one resource, never a sequence of characters.
  if (!Array.isArray(resources)) return [idOf(resources as ResourceRef, field)];
  return resources.map((r, i) => idOf(r, `${field}[${i}]`));
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
