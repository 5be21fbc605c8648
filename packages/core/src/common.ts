// What `@datamint/core` offers on every platform: both entries (index.ts for Node, browser.ts for
// browsers) re-export it and add their HttpClient.
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
export { type Attempt, HttpCore } from './http-core';
export type {
  BodyFactory,
  BytesResponse,
  DownloadProgress,
  FormDataLike,
  HttpClientSettings,
  HttpMethod,
  RequestLogEvent,
  RequestOptions,
} from './http-types';
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
