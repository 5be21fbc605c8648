import { errorCode, NETWORK_ERROR_CODE } from './error-code';
import type { Transport, TransportBody, TransportRequest, TransportResponse } from './transport';

/** Headers a page may not set (the browser sets them itself); Node's fetch takes them but needs none. */
const BROWSER_SET_HEADERS: ReadonlySet<string> = new Set(['content-length', 'user-agent', 'connection']);

function isIterableBody(body: TransportBody): body is AsyncIterable<Uint8Array> {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body;
}

/**
 * A streamed body read into one Blob: browsers send request streams only over HTTP/2 (and with
 * `duplex: 'half'`), so over HTTP/1.1 the body must be whole before the request starts.
 */
async function collect(body: AsyncIterable<Uint8Array>, type: string | undefined): Promise<Blob> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for await (const chunk of body) parts.push(chunk as Uint8Array<ArrayBuffer>);
  return new Blob(parts, type ? { type } : {});
}

/** A failure of `fetch` with a code the retry policy understands. */
class NetworkError extends Error {
  override name = 'NetworkError';
  readonly code: string;
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.code = NETWORK_ERROR_CODE;
  }
}

/**
 * The browser's transport (and any platform with `fetch`): no connection pool of its own, the
 * platform's. Its failures keep their `code` when the platform gives one (Node's fetch names
 * `ECONNREFUSED` in the cause); a browser's opaque network failure becomes `ERR_NETWORK`.
 */
export class FetchTransport implements Transport {
  readonly #fetch: typeof fetch;

  /** `fetchImpl` defaults to the global `fetch`, looked up per request (so a page may wrap it later). */
  constructor(fetchImpl?: typeof fetch) {
    this.#fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Sends one attempt with `fetch` (a streamed body is read whole first); see {@link Transport.send}. */
  async send(request: TransportRequest): Promise<TransportResponse> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!BROWSER_SET_HEADERS.has(name.toLowerCase())) headers[name] = value;
    }
    const body =
      request.body !== undefined && isIterableBody(request.body)
        ? await collect(request.body, request.headers['content-type'])
        : request.body;
    let res: Response;
    try {
      res = await this.#fetch(request.url, {
        method: request.method,
        headers,
        body: body as BodyInit | undefined,
        signal: request.signal,
        // The key travels in a header: no cookies, no cached answers.
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      // Our abort (time-out or the caller's) carries its typed reason.
      if (request.signal.aborted) throw request.signal.reason ?? error;
      throw errorCode(error) === undefined ? new NetworkError(error) : error;
    }
    const out: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      out[name.toLowerCase()] = value;
    });
    return {
      status: res.status,
      headers: out,
      text: () => res.text(),
      bytes: async () => new Uint8Array(await res.arrayBuffer()),
      dump: async () => {
        await res.arrayBuffer();
      },
      discard: () => {
        res.body?.cancel().catch(() => {});
      },
    };
  }

  /** Nothing to close: the platform owns the connections. */
  async close(): Promise<void> {}
}
