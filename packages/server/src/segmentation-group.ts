import { BadRequestError } from './errors';
import type { JsonValue } from './repos/json';

/** One label of a worklist's segmentation group. */
export interface SegmentationDefinition {
  identifier: string;
  color?: string;
  index?: number;
}

function definition(value: unknown, where: string): SegmentationDefinition {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError(`${where} must be an object with an identifier`);
  }
  const { identifier, color, index } = value as Record<string, JsonValue>;
  if (typeof identifier !== 'string' || identifier.trim() === '') {
    throw new BadRequestError(`${where}.identifier is required and must be a non-empty string`);
  }
  const out: SegmentationDefinition = { identifier };
  if (typeof color === 'string' && color !== '') out.color = color;
  if (index !== undefined && index !== null && index !== '') {
    const n = Number(index);
    if (!Number.isInteger(n) || n < 0)
      throw new BadRequestError(`${where}.index must be a non-negative integer`);
    out.index = n;
  }
  return out;
}

/**
 * Label definitions from an uploaded segmentation-group file: JSON (`{"definitions": [...]}` or an
 * array) or CSV with a header naming `identifier` and optionally `color` and `index`. YAML is not
 * read by the local server (no YAML parser ships with it): such files get a 400 saying so.
 */
export function parseSegmentationDefinitions(text: string, filename: string): SegmentationDefinition[] {
  const name = filename.toLowerCase();
  if (name.endsWith('.yaml') || name.endsWith('.yml')) {
    throw new BadRequestError(
      'segmentation group files in YAML are not supported by the local server; send JSON or CSV',
    );
  }
  const trimmed = text.trim();
  if (name.endsWith('.json') || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new BadRequestError(`segmentation group file '${filename}' is not valid JSON`);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { definitions?: unknown } | null)?.definitions;
    if (!Array.isArray(list))
      throw new BadRequestError('segmentation group JSON must be an array or {"definitions": [...]}');
    return list.map((d, i) => definition(d, `definitions[${i}]`));
  }
  const lines = trimmed.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  if (!header.includes('identifier')) {
    throw new BadRequestError(
      "segmentation group CSV needs a header row naming 'identifier' (and optionally color, index)",
    );
  }
  return lines.map((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    return definition(Object.fromEntries(header.map((h, j) => [h, cells[j] ?? ''])), `row ${i + 2}`);
  });
}
