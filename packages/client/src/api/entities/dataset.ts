import type { CallOptions } from '../../context';
import { type EntityRefetch, LinkedEntity } from '../entity';
import type { ResourceEntity } from './resource';

/** What a `DatasetEntity` asks of the datasets group (`refetch` is `api.datasets.getById`). */
export interface DatasetLinks extends EntityRefetch {
  /** The dataset's resources as entities (`GET /datasets/{id}/resources`). */
  resourcesOf(
    datasetId: string,
    options?: CallOptions & { version?: string | number },
  ): Promise<ResourceEntity[]>;
}

/**
 * A dataset: the set of resources behind a project. Unknown fields are kept; `refresh()` and
 * `fetchField(key)` read it again (`GET /datasets/{id}`).
 */
export class DatasetEntity extends LinkedEntity<DatasetLinks> {
  /**
   * Builds a dataset from the server's JSON; missing required fields are an `UnexpectedResponseError`.
   * Without `links` (built from bare JSON) it cannot fetch anything.
   */
  constructor(data: unknown, links?: DatasetLinks) {
    super(
      data,
      'a dataset',
      [
        'id',
        'name',
        'created_at',
        'created_by',
        'description',
        'customer_id',
        'updated_at',
        'total_resource',
        'resource_ids',
      ],
      'DatasetEntity',
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
  get description(): string {
    return this.string('description');
  }
  /** Number of resources. */
  get totalResource(): number {
    return Number(this.get('total_resource'));
  }
  /** Ids of the resources. */
  get resourceIds(): string[] {
    const ids = this.get('resource_ids');
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  }
  /** The server's `created_at` field. */
  get createdAt(): string {
    return this.string('created_at');
  }
  /** The server's `created_by` field. */
  get createdBy(): string {
    return this.string('created_by');
  }
  /** The server's `customer_id` field. */
  get customerId(): string {
    return this.string('customer_id');
  }
  /** The server's `updated_at` field (`null` when never updated). */
  get updatedAt(): string | null {
    return this.optionalString('updated_at');
  }
  /**
   * The dataset's resources as entities (one `GET /datasets/{id}/resources`, optionally of one
   * `version`), ready for `fetchFileData()` and `fetchAnnotations()`.
   */
  fetchResources(options?: CallOptions & { version?: string | number }): Promise<ResourceEntity[]> {
    return this.links('fetchResources').resourcesOf(this.id, options);
  }
}
