import { DatamintException, type Paginated, ResourceNotFoundError } from '@datamint/core';
import {
  type CallOptions,
  callOpts,
  createOnce,
  type HandlerContext,
  type ListOptions,
  relabelNotFound,
} from '../context';
import { ValidationError } from '../errors';
import { ProjectEntity, ProjectSplitEntity } from './entities/project';
import { ResourceEntity, type ResourceLinks } from './entities/resource';
import { entityId, idOf, isEntityId } from './ids';
import { paged } from './pages';

/** A project given by id, by name (where a name is accepted), or as the entity. */
export type ProjectRef = string | ProjectEntity;

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

  /** @internal Built by `Api`. */
  constructor(context: () => Promise<HandlerContext>, pageSize: number, links: () => Promise<ResourceLinks>) {
    this.#context = context;
    this.#pageSize = pageSize;
    this.#links = links;
  }

  /** Projects, lazily paged; archived ones only with `includeArchived`. */
  getList(options: ListOptions & { includeArchived?: boolean } = {}): Paginated<ProjectEntity> {
    return paged(
      this.#context,
      { pageSize: this.#pageSize, ...options },
      {
        method: 'GET',
        path: 'projects',
        query: options.includeArchived === undefined ? {} : { includeArchived: options.includeArchived },
        field: 'projects',
        build: (item) => new ProjectEntity(item),
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
    return new ProjectEntity(body);
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
    return typeof body === 'string' ? this.getById(body, options) : new ProjectEntity(body);
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
  getProjectResources(project: ProjectRef, options: ListOptions = {}): Paginated<ResourceEntity> {
    const id = idOf(project, 'project');
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
      },
    );
  }

  /** Adds resources to a project given by id or name (a UUID is tried as an id first, then as a name). */
  async addResources(
    project: ProjectRef,
    resources: readonly (string | { readonly id: string })[],
    options?: CallOptions,
  ): Promise<void> {
    const ids = resources.map((r, i) => idOf(r, `resources[${i}]`));
    const target = await this.resolve(project, options);
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
    project: ProjectRef,
    resource: string | { readonly id: string },
    status: WorkStatus,
    options?: CallOptions,
  ): Promise<void> {
    if (!WORK_STATUSES.includes(status))
      throw new ValidationError('status', status, WORK_STATUSES.join(', '));
    const pid = idOf(project, 'project');
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
    project: ProjectRef,
    options: CallOptions & { splitName?: string; asOf?: string } = {},
  ): Promise<ProjectSplitEntity[]> {
    const id = idOf(project, 'project');
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
    project: ProjectRef,
    resources: readonly (string | { readonly id: string })[],
    splitName: string,
    options?: CallOptions,
  ): Promise<void> {
    const id = idOf(project, 'project');
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
}
