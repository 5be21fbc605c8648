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
  /** The server's `resource_data` field. */
  get resourceData(): ChannelResourceData[] {
    const data = this.get('resource_data');
    return Array.isArray(data) ? (data as ChannelResourceData[]) : [];
  }
}
