import type { Readable } from 'node:stream';
import { Agent, type Dispatcher, request as undiciRequest } from 'undici';
import type { Transport, TransportRequest, TransportResponse } from './transport';

/** An undici answer: the body is also a Node `Readable`, for streaming. */
export interface UndiciResponse extends TransportResponse {
  /** The body as a Node stream (what `HttpClient.requestStream` hands over). */
  body: Readable;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Node's transport: undici with keep-alive and a bounded number of connections per origin. */
export class UndiciTransport implements Transport<UndiciResponse> {
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;

  /** Uses `dispatcher` when given (not closed by `close()`), else its own Agent of `maxConnections`. */
  constructor(options: { dispatcher?: Dispatcher | undefined; maxConnections?: number | undefined }) {
    if (options.dispatcher) {
      this.#dispatcher = options.dispatcher;
      this.#ownsDispatcher = false;
    } else {
      this.#dispatcher = new Agent({
        connections: options.maxConnections ?? 16,
        keepAliveTimeout: 10_000,
        // The client's own timers enforce time-outs (per call); undici's defaults would cut slow uploads.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.#ownsDispatcher = true;
    }
  }

  /** Sends one attempt with undici; see {@link Transport.send}. */
  async send(request: TransportRequest): Promise<UndiciResponse> {
    const res = await undiciRequest(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body as Dispatcher.DispatchOptions['body'],
      dispatcher: this.#dispatcher,
      signal: request.signal,
    });
    const body = res.body as unknown as Readable;
    return {
      status: res.statusCode,
      headers: flattenHeaders(res.headers),
      body,
      text: () => res.body.text(),
      bytes: async () => new Uint8Array(await res.body.arrayBuffer()),
      dump: () => res.body.dump(),
      discard: () => res.body.destroy(),
    };
  }

  /** Closes the Agent it created (not a dispatcher it was given). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }
}
