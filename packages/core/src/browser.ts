/**
 * `@datamint/core` in browsers (the `browser` and `default` export conditions): the same error
 * tree, retries, idempotency keys, time-outs and abort signals as in Node, with requests carried by
 * `fetch`. There is no configuration file or environment here: give `rootUrl` and `apiKey`.
 *
 * @packageDocumentation
 */
export type { BackoffPolicy } from './backoff';
export { Limiter, mapConcurrent, mapSettled, type Settled } from './concurrency';
export {
  APIBodyError,
  APIConnectionError,
  APIError,
  type APIErrorInit,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  DatamintException,
  DownloadWriteError,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  ResourceNotFoundError,
  UnprocessableEntityError,
} from './errors';
export { FetchTransport } from './fetch-transport';
export {
  type BodyFactory,
  type BytesResponse,
  type DownloadProgress,
  HttpClient,
  type HttpClientOptions,
  type HttpMethod,
  type RequestLogEvent,
  type RequestOptions,
} from './http-client.browser';
export { type Attempt, HttpCore } from './http-core';
export type { FormDataLike, HttpClientSettings } from './http-types';
export { blobFromBytes, multipartFileName } from './multipart-common';
export {
  type PageFetcher,
  type PageRequest,
  Paginated,
  type PaginatedOptions,
} from './paginate';
export type { JsonValue, QueryParams, QueryValue } from './query';
export type { Transport, TransportBody, TransportRequest, TransportResponse } from './transport';
export { USER_AGENT, VERSION } from './version';

/** The platform's `FormData` (Node's entry exports undici's, which its transport streams). */
export const FormData: typeof globalThis.FormData = globalThis.FormData;
/** The platform's `FormData`. */
export type FormData = globalThis.FormData;
