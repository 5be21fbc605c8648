import type { Db } from './db/open-database';
import type { Principal } from './principals';
import type { DecodeLimits } from './render/decode-limits';
import type { RenderPool } from './render/render-pool';
import type { FileStore } from './storage';

/** Everything route handlers share for one server instance (no module-level state). */
export interface AppContext {
  db: Db;
  store: FileStore;
  principals: Map<string, Principal>;
  maxUploadBytes: number;
  /** Bounds on decoding stored files for rendering. */
  decodeLimits: DecodeLimits;
  /** Worker threads that decode user data off the event loop. */
  render: RenderPool;
  /** Registers work that `close()` must wait for (uploads writing files, ZIP streams). */
  track<T>(work: Promise<T>): Promise<T>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every routed request. */
    principal: Principal;
  }
}
