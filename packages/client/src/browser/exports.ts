// Exported by both entries: uploading from a web page (it runs wherever fetch does, Node included)
// and the upload plan and per-file errors both platforms' uploads share.

export type { BrowserNamedUpload, BrowserUploadInput, CollectedInputs } from '../upload/browser-inputs';
export { DEFAULT_EXCLUDED_EXTENSIONS } from '../upload/extensions';
export type {
  PlannedFile,
  PlannedNiftiPair,
  PlannedOrigin,
  PlannedSeries,
  PlannedUnit,
  PlanProblem,
  SkippedFile,
  SkipReason,
  UploadPlan,
} from '../upload/plan-types';
export {
  DicomTransformError,
  FileContentError,
  InvalidDicomError,
  NiftiPairError,
  UnreadableFileError,
} from '../upload/upload-errors';
export {
  BrowserAPIHandler,
  type BrowserAPIHandlerOptions,
  type BrowserMask,
  type BrowserPlan,
  type BrowserUploadOptions,
} from './handler';
export { BrowserUnsupportedError } from './unsupported';
