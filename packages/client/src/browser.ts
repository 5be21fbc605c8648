/**
 * `@datamint/client` in browsers (the `browser` and `default` export conditions): plan and upload
 * Files and dropped folders from a web page with {@link BrowserAPIHandler}, anonymizing and
 * assembling DICOM in the page. Configuration is explicit (no environment, no configuration file).
 *
 * @packageDocumentation
 */
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
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  ResourceNotFoundError,
  UnprocessableEntityError,
} from '@datamint/core';
export {
  BrowserAPIHandler,
  type BrowserAPIHandlerOptions,
  type BrowserMask,
  type BrowserPlan,
  type BrowserUploadOptions,
} from './browser/handler';
export { BrowserUnsupportedError } from './browser/unsupported';
export type { CallOptions } from './context';
export { ConnectionCheckError, UnexpectedResponseError, UploadFileError, ValidationError } from './errors';
export type { BrowserNamedUpload, BrowserUploadInput, CollectedInputs } from './upload/browser-inputs';
export type {
  PlannedFile,
  PlannedOrigin,
  PlannedSeries,
  PlannedUnit,
  PlanProblem,
  SkippedFile,
  SkipReason,
  UploadPlan,
} from './upload/plan-types';
export type { UploadBytesProgress, UploadProgress, UploadResult } from './upload/types';
export { DicomTransformError, InvalidDicomError, UnreadableFileError } from './upload/upload-errors';
