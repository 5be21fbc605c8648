export type { BackoffPolicy } from './backoff';
export { Limiter, mapConcurrent, mapSettled, type Settled } from './concurrency';
export {
  API_KEY_ENV,
  API_URL_ENV,
  type ConfigFileSettings,
  type ConfigSource,
  type ConfigSources,
  clearConfigFile,
  configFilePath,
  DEFAULT_API_URL,
  type ResolveConfigOptions,
  type ResolvedConfig,
  readConfigFile,
  resolveConfig,
  stripTrailingSlashes,
  writeConfigFile,
} from './config';
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
  type StreamResponse,
} from './http-client';
export { type Attempt, HttpCore } from './http-core';
export type { FormDataLike, HttpClientSettings } from './http-types';
export { blobFromPath, FormData } from './multipart';
export { blobFromBytes, multipartFileName } from './multipart-common';
export {
  type PageFetcher,
  type PageRequest,
  Paginated,
  type PaginatedOptions,
} from './paginate';
export type { JsonValue, QueryParams, QueryValue } from './query';
export type { Transport, TransportBody, TransportRequest, TransportResponse } from './transport';
export { type UndiciResponse, UndiciTransport } from './undici-transport';
export { USER_AGENT, VERSION } from './version';
