// The error classes of @datamint/core, re-exported by every entry of @datamint/client so callers
// catch them with one import.
export {
  APIBodyError,
  APIConnectionError,
  APIError,
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
} from '@datamint/core';
