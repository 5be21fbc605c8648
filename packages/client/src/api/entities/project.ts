import { Entity } from '../entity';

/** A project: a dataset of resources with an annotation worklist. Unknown fields are kept. */
export class ProjectEntity extends Entity {
  /** Builds a project from the server's JSON; missing required fields are an `UnexpectedResponseError`. */
  constructor(data: unknown) {
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
  }
  get id(): string {
    return this.string('id');
  }
  get name(): string {
    return this.string('name');
  }
  get description(): string | null {
    return this.optionalString('description');
  }
  get datasetId(): string {
    return this.string('dataset_id');
  }
  get worklistId(): string | null {
    return this.optionalString('worklist_id');
  }
  get archived(): boolean {
    return this.get('archived') === true;
  }
  /** The platform sends it as a number or a numeric string. */
  get resourceCount(): number {
    return Number(this.get('resource_count'));
  }
  get createdAt(): string {
    return this.string('created_at');
  }
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
  get id(): string {
    return this.string('id');
  }
  get splitName(): string {
    return this.string('split_name');
  }
  get projectId(): string {
    return this.string('project_id');
  }
  get resourceId(): string {
    return this.string('resource_id');
  }
}
