import { readFile } from 'node:fs/promises';
import { ValidationError } from '../errors';
import type { MetadataSource } from './types';

/**
 * The metadata text to send and the modality it declares. Like Python, a file that is not valid
 * JSON is still sent as it is (with a warning); a file that cannot be read fails the upload.
 */
export async function readMetadata(
  source: MetadataSource,
  upload: string,
  warn: (message: string) => void,
): Promise<{ text: string; modality?: string }> {
  let text: string;
  let data: unknown;
  if (typeof source === 'string') {
    try {
      text = await readFile(source, 'utf8');
    } catch (error) {
      throw new ValidationError(
        'metadataFiles',
        source,
        `a readable JSON file (${(error as Error).message})`,
      );
    }
    try {
      data = JSON.parse(text);
    } catch (error) {
      warn(
        `metadata file ${source} of ${upload} is not valid JSON (${(error as Error).message}); sent as it is`,
      );
    }
  } else {
    text = JSON.stringify(source);
    data = source;
  }
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    for (const [key, value] of Object.entries(data)) {
      if (key.toLowerCase() === 'modality' && typeof value === 'string' && value !== '')
        return { text, modality: value };
    }
  }
  return { text };
}
