import {
  DatamintException,
  HttpClient,
  type HttpClientOptions,
  type Paginated,
  resolveConfig,
} from '@datamint/core';
import { DEFAULT_PAGE_SIZE } from '@datamint/core/internal';
import * as annotations from './annotations';
import type { CallOptions, HandlerContext, ListOptions } from './context';
import * as download from './download';
import { ConnectionCheckError, ValidationError } from './errors';
import {
  type AddGeometryAnnotationOptions,
  addBoxAnnotation,
  addLineAnnotation,
} from './geometry-annotations';
import * as projects from './projects';
import * as resources from './resources';
import * as segmentations from './segmentations';
import type { Annotation, Channel, Dataset, Experiment, Project, Resource, User, Worklist } from './types';
import type { UploadSource } from './upload/inputs';
import type { UploadPlan } from './upload/plan-types';
import type { UploadResourcesOptions, UploadResult } from './upload/types';
import { uploadResources } from './upload/upload-resources';

export { ConnectionCheckError };

/** How an {@link APIHandler} connects: where, with which key, and its transport and listing settings. */
export interface APIHandlerOptions extends Omit<HttpClientOptions, 'rootUrl' | 'apiKey'> {
  /** API URL. Default: `DATAMINT_API_URL`, then the config file, then `https://api.datamint.io`. */
  rootUrl?: string;
  /** API key. Default: `DATAMINT_API_KEY`, then the config file of the Python `datamint-config` tool. */
  apiKey?: string;
  /**
   * The constructor never does I/O. With `true`, the first call checks the connection (GET /projects)
   * before its own request and fails with the connection error. `APIHandler.connect()` checks by default.
   */
  checkConnection?: boolean;
  /** Environment used for configuration (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Config file to read; `null` disables it (default: the Python tool's file). */
  configFile?: string | null;
  /** Files uploaded (and segmentation frames sent) at once; default 10. */
  concurrency?: number;
  /** Items per listing request; default 5000 as in Python. */
  pageSize?: number;
  /** Deprecation and other warnings; default `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

/**
 * The Datamint API client: every method of the Python `APIHandler`, in camelCase, with optional
 * parameters in one options object. Listings are lazy `Paginated` iterables.
 *
 * Errors: bad arguments throw `ValidationError` (naming the parameter) before any request; failed
 * requests throw the `APIError` subclass of their status, `ResourceNotFoundError` naming what was
 * looked up, `APIConnectionError` / `APITimeoutError` after the retries, or `APIUserAbortError` when
 * the call's `signal` fires. All are `DatamintException`s, and none carries the API key.
 * @example
 * ```ts
 * import { APIHandler } from '@datamint/client';
 *
 * // Key and URL from DATAMINT_API_KEY / DATAMINT_API_URL or the Python tool's config file.
 * const api = await APIHandler.connect();
 * const [result] = await api.uploadResources(['./scans/ct-series'], { anonymize: true, tags: ['demo'] });
 * if (result?.ok) await api.addImageCategoryAnnotation(result.id, 'quality', 'good');
 * for await (const resource of api.getResources({ tags: ['demo'] })) console.log(resource.id);
 * await api.close();
 * ```
 */
export class APIHandler {
  readonly #options: APIHandlerOptions;
  readonly #pageSize: number;
  readonly #concurrency: number;
  #context: Promise<HandlerContext> | undefined;
  #http: HttpClient | undefined;
  #closed = false;

  constructor(options: APIHandlerOptions = {}) {
    this.#options = { ...options };
    this.#pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.#concurrency = options.concurrency ?? 10;
    if (!Number.isInteger(this.#pageSize) || this.#pageSize < 1) {
      throw new ValidationError('pageSize', options.pageSize, 'an integer >= 1');
    }
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1) {
      throw new ValidationError('concurrency', options.concurrency, 'an integer >= 1');
    }
    // With both given, build the transport now so a malformed URL fails at construction.
    if (options.apiKey && options.rootUrl) {
      const http = this.#makeClient(options.rootUrl, options.apiKey);
      this.#context = this.#withCheck(Promise.resolve(http));
    }
  }

  /** Resolves the configuration, then checks the connection (unless `checkConnection: false`). */
  static async connect(options: APIHandlerOptions = {}): Promise<APIHandler> {
    const api = new APIHandler({ ...options, checkConnection: false });
    try {
      await api.#ctx();
      if (options.checkConnection !== false) await api.checkConnection();
    } catch (error) {
      await api.close();
      throw error;
    }
    return api;
  }

  /** GET /projects; any failure becomes `ConnectionCheckError` (with the original as `cause`). */
  async checkConnection(options?: CallOptions): Promise<void> {
    const ctx = await this.#ctx();
    try {
      await projects.getProjects(ctx, options);
    } catch (error) {
      throw new ConnectionCheckError(error);
    }
  }

  /** The resolved API URL (after the first call or `connect`), without trailing slash. */
  get rootUrl(): string | undefined {
    return this.#http?.rootUrl;
  }

  /** Closes the connection pool. Calls made afterwards fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#http?.close();
  }

  /** `await using api = await APIHandler.connect()` closes the handler at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #warn(message: string): void {
    if (this.#options.onWarning) this.#options.onWarning(message);
    else
      process.emitWarning(message, {
        type: message.includes('deprecated') ? 'DeprecationWarning' : 'DatamintWarning',
        code: 'DATAMINT',
      });
  }

  #makeClient(rootUrl: string, apiKey: string): HttpClient {
    const { rootUrl: _r, apiKey: _k, checkConnection: _c, env: _e, configFile: _f, ...rest } = this.#options;
    const http = new HttpClient({ ...rest, rootUrl, apiKey });
    this.#http = http;
    return http;
  }

  #withCheck(http: Promise<HttpClient>): Promise<HandlerContext> {
    const context = http.then(async (client) => {
      const ctx: HandlerContext = {
        http: client,
        pageSize: this.#pageSize,
        concurrency: this.#concurrency,
        warn: (m) => this.#warn(m),
      };
      if (this.#options.checkConnection) {
        try {
          await projects.getProjects(ctx);
        } catch (error) {
          throw new ConnectionCheckError(error);
        }
      }
      return ctx;
    });
    // Rejections are reported to the caller of the first method, not as unhandled.
    context.catch(() => undefined);
    return context;
  }

  #ctx(): Promise<HandlerContext> {
    if (this.#closed) return Promise.reject(new DatamintException('This APIHandler was closed'));
    if (!this.#context) {
      const { apiKey, rootUrl, env, configFile } = this.#options;
      const resolved = resolveConfig({
        apiKey,
        rootUrl,
        ...(env ? { env } : {}),
        ...(configFile !== undefined ? { configFile } : {}),
      }).then((config) => this.#makeClient(config.rootUrl, config.apiKey));
      this.#context = this.#withCheck(resolved);
    }
    return this.#context;
  }

  readonly #lazy = (): Promise<HandlerContext> => this.#ctx();

  // ---- resources -------------------------------------------------------------------------

  /**
   * Uploads files (paths, directories, Files, `{ name, data }`) or runs a plan made by
   * {@link planUpload}; one result per file in input order. See {@link UploadResourcesOptions}.
   */
  async uploadResources(
    files: UploadPlan | UploadSource | readonly UploadSource[],
    options?: UploadResourcesOptions,
  ): Promise<UploadResult[]> {
    return uploadResources(await this.#ctx(), files, options);
  }

  /** Lazily lists resources matching every given filter. */
  getResources(options: resources.GetResourcesOptions & { returnIdsOnly: true }): Paginated<string>;
  getResources(options?: resources.GetResourcesOptions & { returnIdsOnly?: false }): Paginated<Resource>;
  getResources(options?: resources.GetResourcesOptions): Paginated<Resource | string>;
  getResources(options: resources.GetResourcesOptions = {}): Paginated<Resource | string> {
    return resources.getResources(this.#lazy, options, this.#pageSize, (m) => this.#warn(m));
  }

  /** One resource for one id, an array (same order) for an array of ids. */
  async getResourcesByIds(id: string, options?: CallOptions): Promise<Resource>;
  async getResourcesByIds(ids: readonly string[], options?: CallOptions): Promise<Resource[]>;
  async getResourcesByIds(
    ids: string | readonly string[],
    options?: CallOptions,
  ): Promise<Resource | Resource[]> {
    const ctx = await this.#ctx();
    if (typeof ids === 'string') return resources.getResourceById(ctx, ids, options);
    if (!Array.isArray(ids)) throw new ValidationError('ids', ids, 'an id or an array of ids');
    return resources.getResourcesByIds(ctx, ids, options);
  }

  /** @deprecated Use `getResources({ projectId })`. */
  getResourcesByProject(projectId: string, options?: ListOptions): Paginated<Resource> {
    this.#warn('getResourcesByProject is deprecated, use getResources({ projectId })');
    return this.getResources({ ...options, projectId });
  }

  /** Publishes (inbox -> published); with `projectName` also adds them to that project. */
  async publishResources(ids: string | readonly string[], options?: resources.PublishOptions): Promise<void> {
    return resources.publishResources(await this.#ctx(), ids, options);
  }

  /**
   * Deletes resources (one request each, `concurrency` at a time).
   * @throws ResourceNotFoundError naming the first id the server does not know.
   */
  async deleteResources(ids: string | readonly string[], options?: CallOptions): Promise<void> {
    return resources.deleteResources(await this.#ctx(), ids, options);
  }

  /** The upload channels, with the resources in each, lazily paged. */
  getChannels(options?: ListOptions): Paginated<Channel> {
    return resources.getChannels(this.#lazy, options, this.#pageSize);
  }

  /**
   * A resource's stored file: in memory, or streamed to `savePath`; decoded by mimetype unless
   * `autoConvert: false` (DICOM → parsed dataset, PNG → pixels, NIfTI → volume, JSON → value).
   * @throws ResourceNotFoundError for an unknown id; `DecodeError` when the bytes do not decode as
   * their mimetype (the file is still written); `DownloadWriteError` when `savePath` cannot be written.
   */
  async downloadResourceFile(
    resourceId: string,
    options?: download.DownloadResourceOptions,
  ): Promise<download.DownloadedResource> {
    return download.downloadResourceFile(await this.#ctx(), resourceId, options);
  }

  /**
   * One frame of a resource as the server renders it (PNG), with its decoded pixels; a single image
   * comes back as its own file (frame 0 only).
   * @throws ValidationError for a negative or non-integer `frameIndex`, or a frame other than 0 of a
   * single image; ResourceNotFoundError for an unknown id.
   */
  async downloadResourceFrame(
    resourceId: string,
    frameIndex: number,
    options?: CallOptions,
  ): Promise<download.DownloadedFrame> {
    return download.downloadResourceFrame(await this.#ctx(), resourceId, frameIndex, options);
  }

  // ---- projects, datasets, users, experiments -------------------------------------------

  /** Every project the key can see. */
  async getProjects(options?: CallOptions): Promise<Project[]> {
    return projects.getProjects(await this.#ctx(), options);
  }

  /**
   * One project by id.
   * @throws ResourceNotFoundError when there is none.
   */
  async getProjectById(projectId: string, options?: CallOptions): Promise<Project> {
    return projects.getProjectById(await this.#ctx(), projectId, options);
  }

  /** The project with this name (or id); throws `ResourceNotFoundError` when there is none. */
  async getProjectByName(projectName: string, options?: CallOptions): Promise<Project> {
    return projects.resolveProject(await this.#ctx(), projectName, options);
  }

  /**
   * Creates a project holding `resourceIds`, with the body the Python SDK sends.
   * @throws ValidationError for a missing name or a non-string id; ResourceNotFoundError when a listed
   * resource does not exist.
   */
  async createProject(
    name: string,
    description: string,
    resourceIds: readonly string[],
    options?: projects.CreateProjectOptions,
  ): Promise<Project> {
    return projects.createProject(await this.#ctx(), name, description, resourceIds, options);
  }

  /**
   * Deletes a project (its resources stay).
   * @throws ResourceNotFoundError when there is none.
   */
  async deleteProject(projectId: string, options?: CallOptions): Promise<void> {
    return projects.deleteProject(await this.#ctx(), projectId, options);
  }

  /**
   * Downloads a project's export (a zip of its resources and annotations) to `outpath`, streaming.
   * @throws ResourceNotFoundError for an unknown project; `DownloadWriteError` when `outpath` cannot be written.
   */
  async downloadProject(
    projectId: string,
    outpath: string,
    options?: download.DownloadProjectOptions,
  ): Promise<{
    /** The file written. */
    path: string;
    /** Its size in bytes. */
    bytes: number;
  }> {
    return download.downloadProject(await this.#ctx(), projectId, outpath, options);
  }

  /** Every dataset the key can see. */
  async getDatasets(options?: CallOptions): Promise<Dataset[]> {
    return projects.getDatasets(await this.#ctx(), options);
  }

  /** Every user of the key's organisation. */
  async getUsers(options?: CallOptions): Promise<User[]> {
    return projects.getUsers(await this.#ctx(), options);
  }

  /**
   * Creates a user; unset options are sent as `null`, as the Python SDK does.
   * @throws ValidationError for a missing e-mail or `roles` that is not an array; ConflictError when
   * the e-mail is taken.
   */
  async createUser(email: string, options?: projects.CreateUserOptions): Promise<User> {
    return projects.createUser(await this.#ctx(), email, options);
  }

  /** The project's experiment with this name, or `null`. `project` is the project object or its id. */
  async getExperimentByName(
    name: string,
    project: Pick<Project, 'id'> | string,
    options?: CallOptions,
  ): Promise<Experiment | null> {
    return projects.getExperimentByName(await this.#ctx(), name, project, options);
  }

  // ---- annotations -----------------------------------------------------------------------

  /** Label (no value) or category annotations on the image or on frames. Returns the new ids. */
  async addAnnotations(
    resourceId: string,
    identifier: string,
    options?: annotations.AddAnnotationsOptions,
  ): Promise<string[]> {
    return annotations.addAnnotations(await this.#ctx(), resourceId, identifier, options);
  }

  /**
   * A category annotation (`identifier` = `value`) on the whole image. Returns the new ids.
   * @throws ValidationError for a missing identifier or value; ResourceNotFoundError for an unknown resource.
   */
  async addImageCategoryAnnotation(
    resourceId: string,
    identifier: string,
    value: string,
    options?: annotations.AnnotationTargetOptions,
  ): Promise<string[]> {
    return annotations.addImageCategoryAnnotation(await this.#ctx(), resourceId, identifier, value, options);
  }

  /**
   * A category annotation on one frame, a list of frames or a `{ from, to }` range. Returns the new ids.
   * @throws ValidationError for a negative or non-integer frame, or an empty range; ResourceNotFoundError
   * for an unknown resource.
   */
  async addFrameCategoryAnnotation(
    resourceId: string,
    frameIndex: annotations.FrameSelection,
    identifier: string,
    value: string,
    options?: annotations.AnnotationTargetOptions,
  ): Promise<string[]> {
    return annotations.addFrameCategoryAnnotation(
      await this.#ctx(),
      resourceId,
      frameIndex,
      identifier,
      value,
      options,
    );
  }

  /**
   * A line between two points, sent the way the platform's 1.x clients send it: pixel `[x, y]`
   * (default) as `[x, y, frameIndex]`, or converted to patient millimetres when `dicomMetadata` is
   * given; patient `[X, Y, Z]` (`coordsSystem: 'patient'`) exactly as given. Returns the new ids.
   */
  async addLineAnnotation(
    point1: readonly number[],
    point2: readonly number[],
    resourceId: string,
    identifier: string,
    options?: AddGeometryAnnotationOptions,
  ): Promise<string[]> {
    return addLineAnnotation(await this.#ctx(), point1, point2, resourceId, identifier, options);
  }

  /**
   * A box (`square`) from two opposite corners, with the coordinate rules of
   * {@link APIHandler.addLineAnnotation}; the 2 corners are sent as given. Returns the new ids.
   */
  async addBoxAnnotation(
    corner1: readonly number[],
    corner2: readonly number[],
    resourceId: string,
    identifier: string,
    options?: AddGeometryAnnotationOptions,
  ): Promise<string[]> {
    return addBoxAnnotation(await this.#ctx(), corner1, corner2, resourceId, identifier, options);
  }

  /** Segmentation masks (PNG/NIfTI path or bytes, or an array) as annotations. Returns the new ids. */
  async uploadSegmentations(
    resourceId: string,
    file: segmentations.SegmentationInput,
    options?: segmentations.UploadSegmentationsOptions,
  ): Promise<string[]> {
    return segmentations.uploadSegmentations(await this.#ctx(), resourceId, file, options);
  }

  /** Annotations matching every filter given (resource, worklist, status, type, dates...), lazily paged. */
  getAnnotations(options: annotations.GetAnnotationsOptions = {}): Paginated<Annotation> {
    return annotations.getAnnotations(this.#lazy, options, this.#pageSize);
  }

  /** @deprecated Use `getAnnotations({ resourceId })`. */
  getResourceAnnotations(
    resourceId: string,
    options: Omit<annotations.GetAnnotationsOptions, 'resourceId'> = {},
  ): Paginated<Annotation> {
    this.#warn('getResourceAnnotations is deprecated, use getAnnotations({ resourceId })');
    return this.getAnnotations({ ...options, resourceId });
  }

  /** The annotation worklists, optionally by status, lazily paged. */
  getAnnotationWorklist(options: annotations.GetWorklistsOptions = {}): Paginated<Worklist> {
    return annotations.getAnnotationWorklist(this.#lazy, options, this.#pageSize);
  }

  /**
   * One annotation worklist by id.
   * @throws ResourceNotFoundError when there is none.
   */
  async getAnnotationWorklistById(id: string, options?: CallOptions): Promise<Worklist> {
    return annotations.getAnnotationWorklistById(await this.#ctx(), id, options);
  }

  /**
   * Changes a worklist's name, status, frame/image labels or annotations (only the keys given).
   * @throws ValidationError for an unknown status or a list option that is not an array;
   * ResourceNotFoundError when there is no such worklist.
   */
  async updateAnnotationWorklist(
    worklistId: string,
    options?: annotations.UpdateWorklistOptions,
  ): Promise<void> {
    return annotations.updateAnnotationWorklist(await this.#ctx(), worklistId, options);
  }
}
