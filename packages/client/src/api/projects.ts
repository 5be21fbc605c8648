import { DatamintException, type Paginated, ResourceNotFoundError } from '@datamint/core';
import {
  type CallOptions,
  callOpts,
  createOnce,
  type HandlerContext,
  type ListOptions,
  pathSegment,
  relabelNotFound,
} from '../context';
import { ValidationError } from '../errors';
import { ProjectEntity, type ProjectLinks, ProjectSplitEntity } from './entities/project';
import { ResourceEntity, type ResourceLinks } from './entities/resource';
import type { WorklistEntity } from './entities/worklist';
import { type EntityIdRef, entityId, idOf, isEntityId } from './ids';
import { paged } from './pages';
import {
  type AnnotationExportFilter,
  type FileWritten,
  rawCall,
  type StreamToFileOptions,
  streamAnnotationExport,
  stringList,
} from './requests';
import { AnnotationWorklistsApi } from './worklists';

/**
 * A project given by id, by name (where a name is accepted), or as the entity; `undefined` means
 * the project chosen with `api.selectProject`.
 */
export type ProjectRef = string | ProjectEntity;

/** A project argument was left out and no default project was chosen with `api.selectProject`. */
export class DefaultProjectNotSetError extends DatamintException {
  /** Always `DefaultProjectNotSetError`. */
  override name = 'DefaultProjectNotSetError';
  /** Says which method needed a project. */
  constructor(method: string) {
    super(`${method}: no project given and none selected (call api.selectProject(nameOrId) first)`);
  }
}

/** A resource given by id or as an entity. */

/** Options of `api.projects.downloadAnnotations`. */
export interface DownloadProjectAnnotationsOptions extends StreamToFileOptions, AnnotationExportFilter {
  /** `csv` (default) or `xlsx`. */
  format?: 'csv' | 'xlsx';
}

/** Filters of `api.projects.getAnnotationStatuses`. */
export interface AnnotationStatusFilter extends CallOptions {
  /** Only this status. */
  status?: string;
  /** Only this annotator (e-mail). */
  userId?: string;
  /** Only this resource. */
  resource?: EntityIdRef;
}

/** Filters of `api.projects.getReviewMessages`. */
export interface ReviewMessageFilter extends CallOptions {
  /** Only this annotator's messages (e-mail). */
  annotatorEmail?: string;
  /** Only about this resource. */
  resource?: EntityIdRef;
  /** Only these statuses. */
  statuses?: readonly string[];
}

/** A project with that name already exists (`create` without `existsOk`). */
export class EntityAlreadyExistsError extends DatamintException {
  /** Always `EntityAlreadyExistsError`. */
  override name = 'EntityAlreadyExistsError';
  /** What kind of entity, e.g. `Project`. */
  readonly entityType: string;
  /** What identifies the existing one, e.g. `{ name }`. */
  readonly params: Record<string, unknown>;
  /** Names the entity type and what identifies the existing entity. */
  constructor(entityType: string, params: Record<string, unknown>) {
    super(`${entityType} already exists: ${JSON.stringify(params)}`);
    this.entityType = entityType;
    this.params = params;
  }
}

/** Options of `api.projects.create`. */
export interface CreateProjectOptions extends CallOptions {
  /** Free text shown with the project. */
  description?: string;
  /** Resources (ids or entities) the project starts with. */
  resources?: readonly (
    | string
    | {
        /** The resource's id. */
        readonly id: string;
      }
  )[];
  /** An active-learning project. */
  isActiveLearning?: boolean;
  /** Show two images side by side when annotating. */
  twoUpDisplay?: boolean;
  /** Return the existing project of that name instead of failing. */
  existsOk?: boolean;
}

/** Work status of a resource inside a project. */
export type WorkStatus = 'opened' | 'annotated' | 'closed';
const WORK_STATUSES: readonly WorkStatus[] = ['opened', 'annotated', 'closed'];

/**
 * `api.projects`: listing, creating, updating and deleting projects, their resources and splits.
 * @example
 * ```ts
 * import { Api } from '@datamint/client';
 *
 * const api = await Api.connect();
 * const project = await api.projects.create('Lungs', { description: 'CT review', existsOk: true });
 * const [resource] = await api.resources.getList({ status: 'inbox', limit: 1 }).toArray();
 * if (resource) {
 *   await api.projects.addResources(project, [resource]);
 *   await api.projects.assignSplits(project, [resource], 'train');
 * }
 * for await (const r of api.projects.getProjectResources(project)) console.log(r.filename);
 * await api.close();
 * ```
 */
export class ProjectsApi {
  readonly #context: () => Promise<HandlerContext>;
  readonly #pageSize: number;
  readonly #links: () => Promise<ResourceLinks>;
  readonly #selected: () => ProjectEntity | undefined;

  /** @internal Built by `Api`. */
  constructor(
    context: () => Promise<HandlerContext>,
    pageSize: number,
    links: () => Promise<ResourceLinks>,
    selected: () => ProjectEntity | undefined = () => undefined,
  ) {
    this.#context = context;
    this.#pageSize = pageSize;
    this.#links = links;
    this.#selected = selected;
  }

  /** The id of `project`, or of the selected default project when it is `undefined`. */
  #pid(project: ProjectRef | undefined, method: string): string {
    if (project === undefined) {
      const selected = this.#selected();
      if (!selected) throw new DefaultProjectNotSetError(method);
      return selected.id;
    }
    return idOf(project, 'project');
  }

  #entityLinks(rootUrl: string): ProjectLinks {
    return {
      rootUrl,
      resourcesOf: (id, options) => this.getProjectResources(id, options),
      worklistsOf: (id, options) => this.getWorklists(id, options),
      cacheResourcesOf: async (id, options) => {
        const resources = await this.getProjectResources(id, options).toArray();
        return (await this.#links()).cache(resources, options);
      },
      setWorkStatus: (id, resource, status, options) => this.setWorkStatus(id, resource, status, options),
      setPinnedMetrics: (id, metrics, options) => this.setPinnedMetrics(id, metrics, options),
      refetch: async (id, options) => (await this.getById(id, options)).toJSON(),
    };
  }

  /** Projects, lazily paged; archived ones only with `includeArchived`. */
  getList(options: ListOptions & { includeArchived?: boolean } = {}): Paginated<ProjectEntity> {
    let rootUrl = '';
    const context = async () => {
      const ctx = await this.#context();
      rootUrl = ctx.http.rootUrl;
      return ctx;
    };
    return paged(
      context,
      { pageSize: this.#pageSize, ...options },
      {
        method: 'GET',
        path: 'projects',
        query: options.includeArchived === undefined ? {} : { includeArchived: options.includeArchived },
        field: 'projects',
        build: (item) => new ProjectEntity(item, this.#entityLinks(rootUrl)),
      },
    );
  }

  /** Every project, archived ones included. */
  getAll(options: ListOptions = {}): Paginated<ProjectEntity> {
    return this.getList({ ...options, includeArchived: true });
  }

  /** One project; an unknown id is `ResourceNotFoundError('project', {id})`. */
  async getById(projectId: string, options?: CallOptions): Promise<ProjectEntity> {
    const id = entityId(projectId, 'projectId');
    const ctx = await this.#context();
    const body = await relabelNotFound(
      () => ctx.http.request({ method: 'GET', path: `projects/${id}`, ...callOpts(options) }),
      'project',
      { id },
    );
    return new ProjectEntity(body, this.#entityLinks(ctx.http.rootUrl));
  }

  /** The project with exactly this name, or `undefined`; archived ones only when `includeArchived` (default true). */
  async getByName(
    name: string,
    options: CallOptions & { includeArchived?: boolean } = {},
  ): Promise<ProjectEntity | undefined> {
    if (typeof name !== 'string' || name === '')
      throw new ValidationError('name', name, 'a non-empty string');
    for await (const project of this.getList({
      ...options,
      includeArchived: options.includeArchived ?? true,
    })) {
      if (project.name === name) return project;
    }
    return undefined;
  }

  /** A project by UUID or, failing that, by name; unknown is `ResourceNotFoundError('project', {name_or_id})`. */
  async resolve(project: ProjectRef, options?: CallOptions): Promise<ProjectEntity> {
    if (project instanceof ProjectEntity) return project;
    if (isEntityId(project)) {
      try {
        return await this.getById(project, options);
      } catch (error) {
        if (!(error instanceof ResourceNotFoundError)) throw error;
      }
    }
    const byName = await this.getByName(project, options);
    if (!byName) throw new ResourceNotFoundError('project', { name_or_id: project });
    return byName;
  }

  /** Creates a project (a name already taken is `EntityAlreadyExistsError`, or the existing one with `existsOk`). */
  async create(name: string, options: CreateProjectOptions = {}): Promise<ProjectEntity> {
    const existing = await this.getByName(name, options);
    if (existing) {
      if (options.existsOk) return existing;
      throw new EntityAlreadyExistsError('Project', { name });
    }
    const resourceIds = (options.resources ?? []).map((r, i) => idOf(r, `resources[${i}]`));
    const json: Record<string, unknown> = {
      name,
      is_active_learning: options.isActiveLearning ?? false,
      resource_ids: resourceIds,
      segmentationData: { segmentationValueType: 'single_label', definitions: [] },
      annotation_set: { resource_ids: resourceIds, annotations: [] },
      two_up_display: options.twoUpDisplay ?? false,
      require_review: false,
    };
    if (options.description !== undefined) json.description = options.description;
    const ctx = await this.#context();
    const body = await ctx.http.request({
      method: 'POST',
      path: 'projects',
      json,
      ...createOnce(),
      ...callOpts(options),
    });
    return typeof body === 'string'
      ? this.getById(body, options)
      : new ProjectEntity(body, this.#entityLinks(ctx.http.rootUrl));
  }

  /** Changes fields of a project (e.g. `{ name }`, `{ archived: true }`, `{ pinned_metrics: [...] }`). */
  async patch(project: ProjectRef, changes: Record<string, unknown>, options?: CallOptions): Promise<void> {
    const id = idOf(project, 'project');
    if (!changes || typeof changes !== 'object' || Object.keys(changes).length === 0) {
      throw new ValidationError('changes', changes, 'an object with at least one field');
    }
    const ctx = await this.#context();
    await relabelNotFound(
      () =>
        ctx.http.request({
          method: 'PATCH',
          path: `projects/${id}`,
          json: changes,
          retrySafe: true,
          ...callOpts(options),
        }),
      'project',
      { id },
    );
  }

  /** Deletes a project. */
  async delete(project: ProjectRef, options?: CallOptions): Promise<void> {
    const id = idOf(project, 'project');
    const ctx = await this.#context();
    await relabelNotFound(
      () => ctx.http.request({ method: 'DELETE', path: `projects/${id}`, ...callOpts(options) }),
      'project',
      { id },
    );
  }

  /** The resources of a project, lazily paged. */
  getProjectResources(project: ProjectRef | undefined, options: ListOptions = {}): Paginated<ResourceEntity> {
    const id = this.#pid(project, 'getProjectResources');
    let links: ResourceLinks | undefined;
    const context = async () => {
      links ??= await this.#links();
      return this.#context();
    };
    return paged(
      context,
      { pageSize: this.#pageSize, ...options },
      {
        method: 'GET',
        path: `projects/${id}/resources`,
        field: 'resources',
        build: (item) => new ResourceEntity(item, links as ResourceLinks),
        notFound: notFoundProject(id),
      },
    );
  }

  /** Adds resources to a project given by id or name (a UUID is tried as an id first, then as a name). */
  async addResources(
    project: ProjectRef | undefined,
    resources: readonly EntityIdRef[],
    options?: CallOptions,
  ): Promise<void> {
    const ids = resources.map((r, i) => idOf(r, `resources[${i}]`));
    const target = await this.resolve(project ?? this.#pid(undefined, 'addResources'), options);
    const ctx = await this.#context();
    await relabelNotFound(
      () =>
        ctx.http.request({
          method: 'POST',
          path: `projects/${target.id}/resources`,
          json: { resource_ids_to_add: ids, all_files_selected: false },
          // Adding a resource already in the project changes nothing.
          retrySafe: true,
          ...callOpts(options),
        }),
      'project',
      { id: target.id },
    );
  }

  /** Sets the work status of a resource inside a project. */
  async setWorkStatus(
    project: ProjectRef | undefined,
    resource: EntityIdRef,
    status: WorkStatus,
    options?: CallOptions,
  ): Promise<void> {
    if (!WORK_STATUSES.includes(status))
      throw new ValidationError('status', status, WORK_STATUSES.join(', '));
    const pid = this.#pid(project, 'setWorkStatus');
    const rid = idOf(resource, 'resource');
    const ctx = await this.#context();
    await relabelNotFound(
      () =>
        ctx.http.request({
          method: 'POST',
          path: `projects/${pid}/resources/${rid}/status`,
          json: { status },
          retrySafe: true,
          ...callOpts(options),
        }),
      'project resource',
      { project_id: pid, resource_id: rid },
    );
  }

  /** Split assignments of a project, optionally of one split and as of a time. */
  async getSplits(
    project: ProjectRef | undefined,
    options: CallOptions & { splitName?: string; asOf?: string } = {},
  ): Promise<ProjectSplitEntity[]> {
    const id = this.#pid(project, 'getSplits');
    const ctx = await this.#context();
    const body = await relabelNotFound(
      () =>
        ctx.http.request<unknown[]>({
          method: 'GET',
          path: `projects/${id}/splits`,
          query: { split_name: options.splitName, as_of_timestamp: options.asOf },
          ...callOpts(options),
        }),
      'project',
      { id },
    );
    return (Array.isArray(body) ? body : []).map((item) => new ProjectSplitEntity(item));
  }

  /** Assigns resources to a named split (train, validation, test...). */
  async assignSplits(
    project: ProjectRef | undefined,
    resources: readonly EntityIdRef[],
    splitName: string,
    options?: CallOptions,
  ): Promise<void> {
    const id = this.#pid(project, 'assignSplits');
    const ids = resources.map((r, i) => idOf(r, `resources[${i}]`));
    if (typeof splitName !== 'string' || splitName === '')
      throw new ValidationError('splitName', splitName, 'a non-empty string');
    const ctx = await this.#context();
    await relabelNotFound(
      () =>
        ctx.http.request({
          method: 'POST',
          path: `projects/${id}/splits`,
          json: { resource_ids: ids, split_name: splitName },
          retrySafe: true,
          ...callOpts(options),
        }),
      'project',
      { id },
    );
  }
  /** Metric names pinned on the project page (`[]` when none). */
  async getPinnedMetrics(project?: ProjectRef, options?: CallOptions): Promise<string[]> {
    return (await this.getById(this.#pid(project, 'getPinnedMetrics'), options)).pinnedMetrics;
  }

  /** Replaces the metric names pinned on the project page. */
  async setPinnedMetrics(
    project: ProjectRef | undefined,
    metrics: readonly string[],
    options?: CallOptions,
  ): Promise<void> {
    if (!Array.isArray(metrics) || metrics.some((m) => typeof m !== 'string'))
      throw new ValidationError('metrics', metrics, 'an array of metric names');
    await this.patch(this.#pid(project, 'setPinnedMetrics'), { pinned_metrics: [...metrics] }, options);
  }

  /** The members of a project (`{ project_id, user_id, roles, firstname, lastname, ... }`, as the server sends them). */
  async getMembers(project?: ProjectRef, options?: CallOptions): Promise<Record<string, unknown>[]> {
    const id = this.#pid(project, 'getMembers');
    return rawCall(
      this.#context,
      { method: 'GET', path: `projects/${id}/members` },
      notFoundProject(id),
      options,
    );
  }

  /** Makes a user (by e-mail) a member of the project with these roles, or changes their roles. */
  async setMember(
    project: ProjectRef | undefined,
    userId: string,
    roles: readonly string[],
    options?: CallOptions,
  ): Promise<unknown> {
    const id = this.#pid(project, 'setMember');
    const user = pathSegment(userId, 'userId');
    if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string' || r === ''))
      throw new ValidationError('roles', roles, 'an array of role names');
    return rawCall(
      this.#context,
      {
        method: 'POST',
        path: `projects/${id}/members/${user}`,
        json: { roles: [...roles] },
        retrySafe: true,
      },
      notFoundProject(id),
      options,
    );
  }

  /** Removes a user (by e-mail) from the project. */
  async removeMember(project: ProjectRef | undefined, userId: string, options?: CallOptions): Promise<void> {
    const id = this.#pid(project, 'removeMember');
    const user = pathSegment(userId, 'userId');
    await rawCall(
      this.#context,
      { method: 'DELETE', path: `projects/${id}/members/${user}` },
      { resourceType: 'project member', params: { project_id: id, user_id: userId } },
      options,
    );
  }

  /** Per-annotator, per-resource annotation statuses, optionally filtered (as the server sends them). */
  async getAnnotationStatuses(project?: ProjectRef, filter: AnnotationStatusFilter = {}): Promise<unknown> {
    const id = this.#pid(project, 'getAnnotationStatuses');
    return rawCall(
      this.#context,
      {
        method: 'GET',
        path: `projects/${id}/annotation-statuses`,
        query: {
          status: filter.status,
          user_id: filter.userId,
          resource_id: filter.resource === undefined ? undefined : idOf(filter.resource, 'resource'),
        },
      },
      notFoundProject(id),
      filter,
    );
  }

  /** The split a resource is assigned to in the project, or `undefined` when it has none. */
  async getResourceSplit(
    project: ProjectRef | undefined,
    resource: EntityIdRef,
    options?: CallOptions,
  ): Promise<ProjectSplitEntity | undefined> {
    const pid = this.#pid(project, 'getResourceSplit');
    const rid = idOf(resource, 'resource');
    try {
      const body = await rawCall(
        this.#context,
        { method: 'GET', path: `projects/${pid}/resources/${rid}/split` },
        { resourceType: 'project resource split', params: { project_id: pid, resource_id: rid } },
        options,
      );
      return body ? new ProjectSplitEntity(body) : undefined;
    } catch (error) {
      if (error instanceof ResourceNotFoundError) return undefined;
      throw error;
    }
  }

  /** Reopens an annotator's work on a resource (clears their status). */
  async resetAnnotatorStatus(
    project: ProjectRef | undefined,
    resource: EntityIdRef,
    annotatorEmail: string,
    options?: CallOptions,
  ): Promise<void> {
    const pid = this.#pid(project, 'resetAnnotatorStatus');
    const rid = idOf(resource, 'resource');
    const email = pathSegment(annotatorEmail, 'annotatorEmail');
    await rawCall(
      this.#context,
      {
        method: 'DELETE',
        path: `projects/${pid}/resources/${rid}/annotator/${email}/status-reset`,
        retrySafe: true,
      },
      { resourceType: 'project resource', params: { project_id: pid, resource_id: rid } },
      options,
    );
  }

  /**
   * Streams the project's annotations as CSV or XLSX to `outputPath`. An error answer is an
   * error, never written as the file (the platform client writes it into the file).
   */
  async downloadAnnotations(
    project: ProjectRef | undefined,
    outputPath: string,
    options: DownloadProjectAnnotationsOptions = {},
  ): Promise<FileWritten> {
    const id = this.#pid(project, 'downloadAnnotations');
    return streamAnnotationExport(
      this.#context,
      `projects/${id}/download-annotations`,
      outputPath,
      { format: options.format ?? 'csv', formats: ['csv', 'xlsx'], notFound: notFoundProject(id) },
      options,
    );
  }

  /** Per-annotator statistics, optionally of one annotator (as the server sends them). */
  async getAnnotatorsStats(
    project?: ProjectRef,
    options: CallOptions & { annotatorEmail?: string } = {},
  ): Promise<unknown> {
    const id = this.#pid(project, 'getAnnotatorsStats');
    return rawCall(
      this.#context,
      {
        method: 'GET',
        path: `projects/${id}/annotators-statistic`,
        query: { email: options.annotatorEmail },
      },
      notFoundProject(id),
      options,
    );
  }

  /** Per-label annotation statistics (as the server sends them). */
  async getAnnotationsStats(project?: ProjectRef, options?: CallOptions): Promise<unknown> {
    const id = this.#pid(project, 'getAnnotationsStats');
    return rawCall(
      this.#context,
      { method: 'GET', path: `projects/${id}/annotations-statistic` },
      notFoundProject(id),
      options,
    );
  }

  /** The resource × annotator statistics matrix (as the server sends it). */
  async getFilesMatrixStats(project?: ProjectRef, options?: CallOptions): Promise<unknown> {
    const id = this.#pid(project, 'getFilesMatrixStats');
    return rawCall(
      this.#context,
      { method: 'GET', path: `projects/${id}/files-matrix-statistic` },
      notFoundProject(id),
      options,
    );
  }

  /** One annotator's status in the project (as the server sends it). */
  async getAnnotatorStatus(
    project: ProjectRef | undefined,
    annotatorEmail: string,
    options?: CallOptions,
  ): Promise<unknown> {
    const id = this.#pid(project, 'getAnnotatorStatus');
    const email = pathSegment(annotatorEmail, 'annotatorEmail');
    return rawCall(
      this.#context,
      { method: 'GET', path: `projects/${id}/users/${email}/status` },
      notFoundProject(id),
      options,
    );
  }

  /** Review messages, optionally of one annotator, resource or statuses (as the server sends them). */
  async getReviewMessages(project?: ProjectRef, filter: ReviewMessageFilter = {}): Promise<unknown> {
    const id = this.#pid(project, 'getReviewMessages');
    return rawCall(
      this.#context,
      {
        method: 'GET',
        path: `projects/${id}/reviewmessages`,
        query: {
          annotator: filter.annotatorEmail,
          resourceId: filter.resource === undefined ? undefined : idOf(filter.resource, 'resource'),
          statuses: stringList(filter.statuses, 'statuses'),
        },
      },
      notFoundProject(id),
      filter,
    );
  }

  /** The models attached to the project (as the server sends them). */
  async getModels(project?: ProjectRef, options?: CallOptions): Promise<unknown> {
    const id = this.#pid(project, 'getModels');
    return rawCall(
      this.#context,
      { method: 'GET', path: `projects/${id}/models` },
      notFoundProject(id),
      options,
    );
  }

  /** The annotation worklists of the project. */
  getWorklists(project?: ProjectRef, options?: CallOptions): Promise<WorklistEntity[]> {
    return new AnnotationWorklistsApi(this.#context).getByProject(
      this.#pid(project, 'getWorklists'),
      options,
    );
  }
}

function notFoundProject(id: string): { resourceType: string; params: Record<string, unknown> } {
  return { resourceType: 'project', params: { id } };
}
