// Uploading from a web page: exported by the browser entry, and by Node's (it runs wherever fetch does).

export type { BrowserNamedUpload, BrowserUploadInput, CollectedInputs } from '../upload/browser-inputs';
export {
  BrowserAPIHandler,
  type BrowserAPIHandlerOptions,
  type BrowserMask,
  type BrowserPlan,
  type BrowserUploadOptions,
} from './handler';
export { BrowserUnsupportedError } from './unsupported';
