import { Entity } from '../entity';

/** One resource sent through an upload channel. */
export interface ChannelResourceData {
  /** Who uploaded it. */
  created_by: string;
  /** The owning customer. */
  customer_id: string;
  /** The resource id. */
  resource_id: string;
  /** The file name. */
  resource_file_name: string;
  /** The mimetype, or `null`. */
  resource_mimetype: string | null;
}

/** An upload channel and the resources sent through it. Unknown fields are kept. */
export class ChannelEntity extends Entity {
  /** Builds a channel from the server's JSON (`resource_data` is required). */
  constructor(data: unknown) {
    super(data, 'a channel', ['resource_data']);
  }
  /** `null` for uploads without a channel name. */
  get channelName(): string | null {
    return this.optionalString('channel_name');
  }
  /** The server's `resource_data` field: one entry per resource sent through the channel. */
  get resourceData(): ChannelResourceData[] {
    const data = this.get('resource_data');
    return Array.isArray(data) ? data.map((d) => ({ ...(d as ChannelResourceData) })) : [];
  }
  /** Ids of the resources sent through the channel. */
  get resourceIds(): string[] {
    return this.resourceData.map((d) => d.resource_id);
  }
  /** The server's `deleted` field (false when absent). */
  get deleted(): boolean {
    return this.get('deleted') === true;
  }
  /** The server's `created_at` field. */
  get createdAt(): string | null {
    return this.optionalString('created_at');
  }
  /** The server's `updated_at` field. */
  get updatedAt(): string | null {
    return this.optionalString('updated_at');
  }
}
