import { ValidationError } from '../errors';
import { type FileContent, memoryContent } from './content';
import { pathContent } from './file-content';
import type { NamedUpload, UploadSource } from './inputs';
import type { PlannedOrigin } from './plan-types';

/** The bytes behind a planned file: the path on disk, or the caller's in-memory input. */
export function contentOf(origin: PlannedOrigin, inputs: readonly UploadSource[] | undefined): FileContent {
  if (origin.kind === 'path') return pathContent(origin.path);
  const input = inputs?.[origin.inputIndex];
  if (input instanceof Blob) return memoryContent(input);
  const data = (input as NamedUpload | undefined)?.data;
  if (data instanceof Uint8Array || data instanceof Blob) return memoryContent(data);
  throw new ValidationError(
    'sources',
    input,
    `the in-memory input ${origin.inputIndex} the plan was made from (pass the same inputs as "sources")`,
  );
}
