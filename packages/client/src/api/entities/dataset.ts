import { Entity } from '../entity';

/** A dataset: the set of resources behind a project. Unknown fields are kept. */
export class DatasetEntity extends Entity {
  /** Builds a dataset from the server's JSON; missing required fields are an `UnexpectedResponseError`. */
  constructor(data: unknown) {
    super(data, 'a dataset', [
      'id',
      'name',
      'created_at',
      'created_by',
      'description',
      'customer_id',
      'updated_at',
      'total_resource',
      'resource_ids',
    ]);
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
}
