/**
 * `@datamint/client` in browsers (the `browser` and `default` export conditions): plan and upload
 * Files and dropped folders from a web page with {@link BrowserAPIHandler}, anonymizing and
 * assembling DICOM in the page. Configuration is explicit (no environment, no configuration file).
 *
 * @packageDocumentation
 */
export * from './browser/exports';
export type { CallOptions } from './context';
export * from './core-errors';
export { ConnectionCheckError, UnexpectedResponseError, UploadFileError, ValidationError } from './errors';
export type { UploadBytesProgress, UploadProgress, UploadResult } from './upload/types';
