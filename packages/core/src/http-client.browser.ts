import { FetchTransport } from './fetch-transport';
import { HttpCore } from './http-core';
import type { HttpClientSettings } from './http-types';

/** Settings of the browser's HTTP client. */
export interface HttpClientOptions extends HttpClientSettings {
  /** The `fetch` to use (default: the global one, e.g. to add tracing). */
  fetch?: typeof fetch;
}

/**
 * The HTTP client in browsers: requests carried by `fetch`, with the same retries, idempotency
 * keys, time-outs, abort signals and typed errors as in Node. The page must be allowed to call the
 * API (CORS).
 */
export class HttpClient extends HttpCore {
  /** Validates the settings (a bad URL or a missing key is a `DatamintException`); never does I/O. */
  constructor(options: HttpClientOptions) {
    super(options, new FetchTransport(options.fetch));
  }
}
