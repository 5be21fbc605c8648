import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher } from 'undici';
import { DownloadWriteError } from './errors';
import { HttpCore } from './http-core';
import type { DownloadProgress, HttpClientSettings, RequestOptions } from './http-types';
import { type UndiciResponse, UndiciTransport } from './undici-transport';

/** Settings of Node's HTTP client. */
export interface HttpClientOptions extends HttpClientSettings {
  /** Connections kept per origin (default 16). */
  maxConnections?: number;
  /** Bring your own undici dispatcher (proxy, mock-free test agent...). Not closed by `close()`. */
  dispatcher?: Dispatcher;
}

/** A streamed answer: the caller consumes or destroys `body`. */
export interface StreamResponse {
  /** The HTTP status (2xx; failures are thrown). */
  status: number;
  /** The response headers (lower-case names). */
  headers: Record<string, string>;
  /** The `content-type` header. */
  contentType: string | undefined;
  /** The `content-length` header, when sent. */
  contentLength: number | undefined;
  /** The body; consume or destroy it. */
  body: Readable;
}

/**
 * The one HTTP client every package uses (in Node): undici Agent with keep-alive and bounded
 * connections, retries with backoff and `Retry-After`, time-outs and abort signals, typed errors.
 */
export class HttpClient extends HttpCore<UndiciResponse> {
  /** Validates the settings (a bad URL or a missing key is a `DatamintException`); never does I/O. */
  constructor(options: HttpClientOptions) {
    super(options, new UndiciTransport(options));
  }

  /**
   * A streamed response. The caller must consume or destroy `body`. The time-out covers the
   * headers and then every idle gap between chunks.
   */
  async requestStream(options: RequestOptions): Promise<StreamResponse> {
    return this.send(
      options,
      async (res, _url, attempt) => {
        const { headers, body } = res;
        body.on('data', attempt.touch);
        body.once('close', attempt.done);
        const length = headers['content-length'];
        return {
          status: res.status,
          headers,
          contentType: headers['content-type'],
          contentLength: length !== undefined ? Number(length) : undefined,
          body,
        };
      },
      { stream: true },
    );
  }

  /**
   * Streams a response to `destination` (written to a temporary name and renamed, so a failed
   * download never leaves a half-written file under the final name).
   */
  async download(
    options: RequestOptions & { destination: string; onProgress?: (p: DownloadProgress) => void },
  ): Promise<{
    /** Bytes written. */
    bytes: number;
    /** The `content-type` header. */
    contentType: string | undefined;
    /** The response headers (lower-case names). */
    headers: Record<string, string>;
  }> {
    const response = await this.requestStream(options);
    const tmp = `${options.destination}.${process.pid}.${Date.now()}.part`;
    let bytes = 0;
    if (options.onProgress) {
      const report = options.onProgress;
      response.body.on('data', (chunk: Uint8Array) => {
        bytes += chunk.byteLength;
        report({ bytes, totalBytes: response.contentLength });
      });
    } else {
      response.body.on('data', (chunk: Uint8Array) => {
        bytes += chunk.byteLength;
      });
    }
    const file = createWriteStream(tmp);
    // A local file-system failure is not a transport failure: it gets its own error. The file
    // stream also re-emits the body's errors when the pipeline tears it down; those have no syscall.
    let fileError: unknown;
    file.on('error', (error: NodeJS.ErrnoException) => {
      if (typeof error.syscall === 'string') fileError ??= error;
    });
    try {
      await pipeline(response.body, file);
    } catch (error) {
      await rm(tmp, { force: true });
      if (fileError !== undefined && error === fileError)
        throw new DownloadWriteError(options.destination, error);
      throw this.wrapTransportError(error, options, this.urlFor(options.path, options.query), undefined);
    }
    try {
      await rename(tmp, options.destination);
    } catch (error) {
      await rm(tmp, { force: true });
      throw new DownloadWriteError(options.destination, error);
    }
    return { bytes, contentType: response.contentType, headers: response.headers };
  }
}
