export { type BackoffPolicy, backoffDelay, retryAfterMs, sleep } from './backoff';
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
  errorForResponse,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  ResourceNotFoundError,
  serverMessageOf,
  UnprocessableEntityError,
} from './errors';
export {
  type BodyFactory,
  type BytesResponse,
  type DownloadProgress,
  HttpClient,
  type HttpClientOptions,
  type HttpMethod,
  IDEMPOTENCY_CAPABILITY_HEADER,
  type RequestLogEvent,
  type RequestOptions,
  type StreamResponse,
} from './http-client';
export { blobFromBytes, blobFromPath, FormData, multipartFileName } from './multipart';
export {
  DEFAULT_PAGE_SIZE,
  type PageFetcher,
  type PageRequest,
  Paginated,
  type PaginatedOptions,
} from './paginate';
export {
  encodeQuery,
  type JsonValue,
  pythonIsoFormat,
  pythonJsonDumps,
  type QueryParams,
  type QueryValue,
  quoteAll,
  quotePlus,
} from './query';
export { maskKey, redactSecrets, redactUrl } from './redact';
export { USER_AGENT, VERSION } from './version';
export { ANNOTATION_TYPES, type AnnotationType } from './wire-contract';
