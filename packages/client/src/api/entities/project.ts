import type { Paginated } from '@datamint/core';
import { DatamintException } from '@datamint/core';
import type { CallOptions, ListOptions } from '../../context';
import { Entity, type EntityData } from '../entity';
import { webAppUrl } from '../web-app';
import type { ResourceEntity } from './resource';
import type { WorklistEntity } from './worklist';

/** What a `ProjectEntity` asks of the projects group. */
export interface ProjectLinks {
  /** The API URL the project came from (for `url`). */
  rootUrl: string;
  /** `api.projects.getProjectResources`. */
  resourcesOf(projectId: string, options?: ListOptions): Paginated<ResourceEntity>;
  /** `api.projects.getWorklists`. */
  worklistsOf(projectId: string, options?: CallOptions): Promise<WorklistEntity[]>;
  /** The project's JSON, fetched again. */
  refetch(projectId: string, options?: CallOptions): Promise<EntityData>;
}

/** A project entity built from bare JSON (`new ProjectEntity(json)`) has no client to fetch with. */
export class DetachedEntityError extends DatamintException {
  /** Always `DetachedEntityError`. */
  override name = 'DetachedEntityError';
  /** Names the method that needed a client. */
  constructor(what: string) {
    super(`${what} needs an entity returned by an Api method (this one was built from bare JSON)`);
  }
}

/** A project: a dataset of resources with an annotation worklist. Unknown fields are kept. */
export class ProjectEntity extends Entity {
  readonly #links: ProjectLinks | undefined;

  /** Builds a project from the server's JSON; missing required fields are an `UnexpectedResponseError`. */
  constructor(data: unknown, links?: ProjectLinks) {
    super(data, 'a project', [
      'id',
      'name',
      'created_at',
      'created_by',
      'dataset_id',
      'archived',
      'resource_count',
      'description',
    ]);
    this.#links = links;
  }
  /** The server's `id` field. */
  get id(): string {
    return this.string('id');
  }
  /** The server's `name` field. */
  get name(): string {
    return this.string('name');
  }
  /** The server's `description` field. */
  get description(): string | null {
    return this.optionalString('description');
  }
  /** The project's page in the web app that goes with the API URL (as the platform client builds it). */
  get url(): string {
    return `${webAppUrl(this.#need('url').rootUrl)}/projects/edit/${this.id}`;
  }
  /** The project's resources (`GET /projects/{id}/resources`). */
  fetchResources(options?: ListOptions): Promise<ResourceEntity[]> {
    return this.#need('fetchResources').resourcesOf(this.id, options).toArray();
  }
  /** The project's annotation worklists. */
  fetchWorklists(options?: CallOptions): Promise<WorklistEntity[]> {
    return this.#need('fetchWorklists').worklistsOf(this.id, options);
  }
  /** Takes the current fields from the server (`GET /projects/{id}`). */
  async refresh(options?: CallOptions): Promise<this> {
    this.merge(await this.#need('refresh').refetch(this.id, options));
    return this;
  }
  /**
   * A field, fetched from the server (once) when this object does not have it: listings may leave
   * out fields such as `worklist_id` or `pinned_metrics` that the single-project answer carries.
   */
  async fetchField(key: string, options?: CallOptions): Promise<unknown> {
    if (!this.has(key)) await this.refresh(options);
    return this.get(key);
  }
  #need(what: string): ProjectLinks {
    if (!this.#links) throw new DetachedEntityError(`ProjectEntity.${what}`);
    return this.#links;
  }
  /** The server's `dataset_id` field. */
  get datasetId(): string {
    return this.string('dataset_id');
  }
  /** The server's `worklist_id` field. */
  get worklistId(): string | null {
    return this.optionalString('worklist_id');
  }
  /** The server's `archived` field. */
  get archived(): boolean {
    return this.get('archived') === true;
  }
  /** The platform sends it as a number or a numeric string. */
  get resourceCount(): number {
    return Number(this.get('resource_count'));
  }
  /** The server's `created_at` field. */
  get createdAt(): string {
    return this.string('created_at');
  }
  /** The server's `created_by` field. */
  get createdBy(): string {
    return this.string('created_by');
  }
  /** Metric names pinned on the project page (empty when none). */
  get pinnedMetrics(): string[] {
    const metrics = this.get('pinned_metrics');
    return Array.isArray(metrics) ? metrics.filter((m): m is string => typeof m === 'string') : [];
  }
}

/** A resource's assignment to a named split (train, test...) of a project. */
export class ProjectSplitEntity extends Entity {
  /** Builds a split assignment from the server's JSON. */
  constructor(data: unknown) {
    super(data, 'a project split', [
      'id',
      'split_name',
      'project_id',
      'resource_id',
      'created_at',
      'created_by',
    ]);
  }
  /** The server's `id` field. */
  get id(): string {
    return this.string('id');
  }
  /** The server's `split_name` field. */
  get splitName(): string {
    return this.string('split_name');
  }
  /** The server's `project_id` field. */
  get projectId(): string {
    return this.string('project_id');
  }
  /** The server's `resource_id` field. */
  get resourceId(): string {
    return this.string('resource_id');
  }
}
