import { DatamintException, HttpClient, resolveConfig } from '@datamint/core';
import { DEFAULT_PAGE_SIZE } from '@datamint/core/internal';
import { type APIHandlerOptions, ConnectionCheckError } from '../api-handler';
import type { CallOptions, HandlerContext } from '../context';
import { ValidationError } from '../errors';
import { AnnotationsApi } from './annotations';
import { DatasetsApi } from './datasets';
import type { ProjectEntity } from './entities/project';
import { ProjectsApi } from './projects';
import { ResourcesApi } from './resources';
import { UsersApi } from './users';
import { AnnotationWorklistsApi } from './worklists';

/**
 * Options of {@link Api}: the same as `APIHandler`'s, resolved the same way (argument, then
 * `DATAMINT_API_KEY`/`DATAMINT_API_URL`, then the config file); an empty key counts as missing.
 */
export type ApiOptions = Omit<APIHandlerOptions, 'checkConnection'>;

/**
 * The client of the current Datamint platform API, organised by entity like the Python SDK's
 * `datamint.Api` (2.29): `api.resources`, ... Methods return entity objects that keep every
 * field the server sent. The constructor never does I/O; `Api.connect()` also checks the
 * connection. Transport, retries, time-outs, cancellation and errors are `@datamint/core`'s.
 * @example
 * ```ts
 * import { Api } from '@datamint/client';
 *
 * // Key and URL from DATAMINT_API_KEY / DATAMINT_API_URL or the Python tool's config file.
 * const api = await Api.connect();
 * for await (const resource of api.resources.getList({ status: 'inbox', limit: 5 })) {
 *   console.log(resource.id, resource.filename);
 * }
 * const project = await api.projects.create('Lungs', { existsOk: true });
 * console.log(project.id);
 * await api.close();
 * ```
 */
export class Api {
  readonly #options: ApiOptions;
  readonly #pageSize: number;
  readonly #concurrency: number;
  #context: Promise<HandlerContext> | undefined;
  #http: HttpClient | undefined;
  #closed = false;
  #resources: ResourcesApi | undefined;
  #annotations: AnnotationsApi | undefined;
  #projects: ProjectsApi | undefined;
  #worklists: AnnotationWorklistsApi | undefined;
  #users: UsersApi | undefined;
  #datasets: DatasetsApi | undefined;
  #selectedProject: ProjectEntity | undefined;

  constructor(options: ApiOptions = {}) {
    this.#options = { ...options };
    this.#pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.#concurrency = options.concurrency ?? 10;
    if (!Number.isInteger(this.#pageSize) || this.#pageSize < 1) {
      throw new ValidationError('pageSize', options.pageSize, 'an integer >= 1');
    }
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1) {
      throw new ValidationError('concurrency', options.concurrency, 'an integer >= 1');
    }
  }

  /** Resolves the configuration and checks the connection (`GET /projects?offset=0&limit=1`). */
  static async connect(options: ApiOptions = {}): Promise<Api> {
    const api = new Api(options);
    try {
      await api.checkConnection();
    } catch (error) {
      await api.close();
      throw error;
    }
    return api;
  }

  /** One small request; any failure becomes `ConnectionCheckError` with the original as `cause`. */
  async checkConnection(options?: CallOptions): Promise<void> {
    try {
      const ctx = await this.#ctx();
      await ctx.http.request({
        method: 'GET',
        path: 'projects',
        query: { offset: 0, limit: 1 },
        ...(options?.signal ? { signal: options.signal } : {}),
        ...(options?.timeout !== undefined ? { timeout: options.timeout } : {}),
      });
    } catch (error) {
      throw new ConnectionCheckError(error);
    }
  }

  /** The resolved API URL (after the first call or `connect`), without trailing slash. */
  get rootUrl(): string | undefined {
    return this.#http?.rootUrl;
  }

  /** Resources: list, fetch, download, publish, tag, delete. */
  get resources(): ResourcesApi {
    this.#resources ??= new ResourcesApi(this.#lazy, this.#pageSize, () => this.annotations.entityLinks);
    return this.#resources;
  }

  /** Annotations: search, create, rename, approve, download, delete. */
  get annotations(): AnnotationsApi {
    this.#annotations ??= new AnnotationsApi(this.#lazy, this.#pageSize);
    return this.#annotations;
  }

  /** Projects: list, create, update, delete, resources, work status, splits. */
  get projects(): ProjectsApi {
    this.#projects ??= new ProjectsApi(
      this.#lazy,
      this.#pageSize,
      () => this.resources.links(),
      () => this.#selectedProject,
    );
    return this.#projects;
  }

  /**
   * Chooses the project that `api.projects` methods use when their project argument is
   * `undefined` (a UUID is tried as an id, then as a name; archived projects included). Held by
   * this `Api` only, never process-wide.
   */
  async selectProject(nameOrId: string | ProjectEntity, options?: CallOptions): Promise<ProjectEntity> {
    const project = await this.projects.resolve(nameOrId, options);
    this.#selectedProject = project;
    return project;
  }

  /** The project chosen with {@link Api.selectProject}, if any. */
  get selectedProject(): ProjectEntity | undefined {
    return this.#selectedProject;
  }

  /** Annotation worklists: create, get, patch, list a project's. */
  get annotationWorklists(): AnnotationWorklistsApi {
    this.#worklists ??= new AnnotationWorklistsApi(this.#lazy, this.#pageSize);
    return this.#worklists;
  }

  /** The platform's other name for {@link Api.annotationWorklists}. */
  get annotationSets(): AnnotationWorklistsApi {
    return this.annotationWorklists;
  }

  /** Users: list, get by e-mail, create. */
  get users(): UsersApi {
    this.#users ??= new UsersApi(this.#lazy, this.#pageSize);
    return this.#users;
  }

  /** Datasets: list, get, change resources, delete. */
  get datasets(): DatasetsApi {
    this.#datasets ??= new DatasetsApi(this.#lazy, this.#pageSize, () => this.resources.links());
    return this.#datasets;
  }

  /** Closes the connection pool; calls made afterwards fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#http?.close();
  }

  /** `await using api = new Api()` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  readonly #lazy = (): Promise<HandlerContext> => this.#ctx();

  #warn(message: string): void {
    if (this.#options.onWarning) this.#options.onWarning(message);
    else process.emitWarning(message, { type: 'DatamintWarning', code: 'DATAMINT' });
  }

  #ctx(): Promise<HandlerContext> {
    if (this.#closed) return Promise.reject(new DatamintException('This Api was closed'));
    if (!this.#context) {
      const {
        apiKey,
        rootUrl,
        env,
        configFile,
        pageSize: _p,
        concurrency: _c,
        onWarning: _w,
        ...http
      } = this.#options;
      const context = resolveConfig({
        apiKey,
        rootUrl,
        ...(env ? { env } : {}),
        ...(configFile !== undefined ? { configFile } : {}),
      }).then((config) => {
        this.#http = new HttpClient({ ...http, rootUrl: config.rootUrl, apiKey: config.apiKey });
        return {
          http: this.#http,
          pageSize: this.#pageSize,
          concurrency: this.#concurrency,
          warn: (m: string) => this.#warn(m),
        };
      });
      // Reported to the caller of the first method, not as an unhandled rejection.
      context.catch(() => undefined);
      this.#context = context;
    }
    return this.#context;
  }
}
