import type { ParsedDicom } from '../parse';
import { jpegLsEncodable } from './encode-jpeg-ls';
import { pixelLayoutOf } from './pixel-layout';

/** The message for a file that cannot be written as JPEG-LS, naming it when it has a name. */
export function jpegLsRefusalMessage(fileName: string | undefined, refusal: string): string {
  return `${fileName ? `file ${fileName}: ` : ''}cannot write JPEG-LS: ${refusal}`;
}

/** Why a parsed native file cannot be written as JPEG-LS, or undefined when it can. */
export function jpegLsRefusal(parsed: ParsedDicom): string | undefined {
  if (!parsed.pixelData) return 'no PixelData';
  if (parsed.isEncapsulated) return 'pixel data is already compressed';
  try {
    return jpegLsEncodable(pixelLayoutOf(parsed));
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
