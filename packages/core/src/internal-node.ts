/**
 * `@datamint/core/internal/node`: the Node-only plumbing the sibling Datamint packages share (file
 * system helpers that `@datamint/core/internal` cannot hold, since that entry also loads in
 * browsers). Not part of the public API: it may change in any release.
 *
 * @packageDocumentation
 */
export { makeDirectory } from './make-directory';
export { sameFileBytes } from './same-file-bytes';
