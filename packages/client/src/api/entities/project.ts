import type { Paginated } from '@datamint/core';
import type { CallOptions, ListOptions } from '../../context';
import { Entity, type EntityRefetch, LinkedEntity } from '../entity';
import type { EntityIdRef } from '../ids';
import type { WorkStatus } from '../projects';
import type { ResourceCacheOptions } from '../resource-cache';
import type { CachedResource } from '../resources';
import { webAppUrl } from '../web-app';
import type { ResourceEntity } from './resource';
import type { WorklistEntity } from './worklist';

/** What a `ProjectEntity` asks of the projects group (`refetch` is `api.projects.getById`). */
export interface ProjectLinks extends EntityRefetch {
  /** The API URL the project came from (for `url`). */
  rootUrl: string;
  /** `api.projects.getProjectResources`. */
  resourcesOf(projectId: string, options?: ListOptions): Paginated<ResourceEntity>;
  /** `api.projects.getWorklists`. */
  worklistsOf(projectId: string, options?: CallOptions): Promise<WorklistEntity[]>;
  /** `api.projects.setWorkStatus`. */
  setWorkStatus(
    projectId: string,
    resource: EntityIdRef,
    status: WorkStatus,
    options?: CallOptions,
  ): Promise<void>;
  /** `api.resources.cacheResources` over the project's resources. */
  cacheResourcesOf(
    projectId: string,
    options?: CallOptions & ResourceCacheOptions,
  ): Promise<CachedResource[]>;
  /** `api.projects.setPinnedMetrics`. */
  setPinnedMetrics(projectId: string, metrics: readonly string[], options?: CallOptions): Promise<void>;
}

/** Someone who annotates a project's resources, as the platform lists them on the project. */
export interface ProjectAnnotator {
  /** The annotator's e-mail. */
  email: string;
  /** The project's worklists this annotator works on. */
  worklistIds: string[];
}

/** A project: a dataset of resources with an annotation worklist. Unknown fields are kept. */
export class ProjectEntity extends LinkedEntity<ProjectLinks> {
  /** Builds a project from the server's JSON; missing required fields are an `UnexpectedResponseError`. */
  constructor(data: unknown, links?: ProjectLinks) {
    super(
      data,
      'a project',
      ['id', 'name', 'created_at', 'created_by', 'dataset_id', 'archived', 'resource_count', 'description'],
      'ProjectEntity',
      links,
    );
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
    return `${webAppUrl(this.links('url').rootUrl)}/projects/edit/${this.id}`;
  }
  /** The project's resources (`GET /projects/{id}/resources`). */
  fetchResources(options?: ListOptions): Promise<ResourceEntity[]> {
    return this.links('fetchResources').resourcesOf(this.id, options).toArray();
  }
  /** The project's annotation worklists. */
  fetchWorklists(options?: CallOptions): Promise<WorklistEntity[]> {
    return this.links('fetchWorklists').worklistsOf(this.id, options);
  }
  /**
   * Downloads every resource of the project into the local cache (`~/.datamint`, or `cacheDir`)
   * unless the cache already holds its current version, so later `fetchFileData({ useCache: true })`
   * calls read from disk. Returns where each file is.
   */
  cacheResources(options?: CallOptions & ResourceCacheOptions): Promise<CachedResource[]> {
    return this.links('cacheResources').cacheResourcesOf(this.id, options);
  }
  /** Marks a resource of this project `opened`, `annotated` or `closed` (`POST /projects/{id}/resources/{rid}/status`). */
  setWorkStatus(resource: EntityIdRef, status: WorkStatus, options?: CallOptions): Promise<void> {
    return this.links('setWorkStatus').setWorkStatus(this.id, resource, status, options);
  }
  /** Replaces the metric names pinned on the project page; this object's `pinnedMetrics` follows. */
  async setPinnedMetrics(metrics: readonly string[], options?: CallOptions): Promise<void> {
    await this.links('setPinnedMetrics').setPinnedMetrics(this.id, metrics, options);
    this.merge({ pinned_metrics: [...metrics] });
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
  /**
   * The project's annotators (the platform's optional `annotators` field, entries of
   * `{email, worklist_ids}`); empty when the server leaves the field out. Entries without an e-mail
   * are skipped rather than guessed at.
   */
  get annotators(): ProjectAnnotator[] {
    const annotators = this.get('annotators');
    if (!Array.isArray(annotators)) return [];
    const out: ProjectAnnotator[] = [];
    for (const a of annotators) {
      if (typeof a !== 'object' || a === null) continue;
      const { email, worklist_ids: ids } = a as { email?: unknown; worklist_ids?: unknown };
      if (typeof email !== 'string') continue;
      const worklistIds = Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
      out.push({ email, worklistIds });
    }
    return out;
  }
  /**
   * The platform's optional `most_recent_experiment` object (the project's latest model experiment),
   * as sent; null when the server sends null or leaves it out.
   */
  get mostRecentExperiment(): Readonly<Record<string, unknown>> | null {
    const experiment = this.get('most_recent_experiment');
    return typeof experiment === 'object' && experiment !== null && !Array.isArray(experiment)
      ? (experiment as Record<string, unknown>)
      : null;
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
