import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { parseLabelTable } from './label-table';
import { SegmentationNamesError } from './segmentation-names-error';

export { SegmentationNamesError };

/** `--segmentation-names` file: names for masks (by path) and for their label values. */
export interface SegmentationNames {
  segmentationNames: string[] | null;
  classNames: Record<string, string> | null;
}

/** What the client gets per mask: one name, a per-value map (with `default`), or nothing. */
export type MaskNames = string | Record<string, string> | null;

export function parseSegmentationNames(text: string, file: string): SegmentationNames {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new SegmentationNamesError(file, `not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new SegmentationNamesError(file, 'expected a mapping with segmentation_names and/or class_names');
  }
  const record = data as Record<string, unknown>;
  const unknownKeys = Object.keys(record).filter((k) => k !== 'segmentation_names' && k !== 'class_names');
  if (unknownKeys.length) {
    throw new SegmentationNamesError(
      file,
      `unknown key ${JSON.stringify(unknownKeys[0])} (expected segmentation_names and/or class_names)`,
    );
  }
  let segmentationNames: string[] | null = null;
  if (record.segmentation_names !== undefined && record.segmentation_names !== null) {
    const list = record.segmentation_names;
    if (!Array.isArray(list) || list.some((n) => typeof n !== 'string' || n === '')) {
      throw new SegmentationNamesError(file, 'segmentation_names must be a list of non-empty strings');
    }
    segmentationNames = list as string[];
  }
  let classNames: Record<string, string> | null = null;
  if (record.class_names !== undefined && record.class_names !== null) {
    const map = record.class_names;
    if (typeof map !== 'object' || Array.isArray(map)) {
      throw new SegmentationNamesError(file, 'class_names must map label values to names, e.g. {1: Femur}');
    }
    classNames = {};
    for (const [key, value] of Object.entries(map as Record<string, unknown>)) {
      if (!/^\d+$/.test(key) || Number(key) < 1 || Number(key) > 255) {
        throw new SegmentationNamesError(
          file,
          `class_names key ${JSON.stringify(key)} is not a label value 1-255`,
        );
      }
      if (typeof value !== 'string' || value === '') {
        throw new SegmentationNamesError(file, `class_names[${key}] must be a non-empty string`);
      }
      classNames[String(Number(key))] = value;
    }
  }
  if (!segmentationNames && !classNames) {
    throw new SegmentationNamesError(file, 'neither segmentation_names nor class_names is set');
  }
  return { segmentationNames, classNames };
}

export async function readSegmentationNames(file: string): Promise<SegmentationNames> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SegmentationNamesError(
      file,
      `cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  // As the Python tool: YAML for `.yaml`/`.yml`, a label table (value … name) for `.csv`, `.tsv` and
  // `.txt`, naming the label values as `class_names` does; `.label` is ITK-SNAP's own suffix.
  if (/\.(ya?ml)$/i.test(file)) return parseSegmentationNames(text, file);
  if (/\.(txt|csv|tsv|label)$/i.test(file)) {
    return { segmentationNames: null, classNames: parseLabelTable(text, file) };
  }
  return parseSegmentationNames(text, file);
}

/**
 * Names one mask: the shortest segmentation name found in its path (relative to the segmentation
 * folder) wins; class names turn it into `<name>_<class>` per value with `<name>` as default.
 * `undefined` means a segmentation_names list exists but none matched.
 */
export function namesForMask(maskPath: string, names: SegmentationNames | null): MaskNames | undefined {
  if (!names) return null;
  if (!names.segmentationNames) return names.classNames ? { ...names.classNames } : null;
  const byLength = [...names.segmentationNames].sort((a, b) => a.length - b.length);
  const match = byLength.find((name) => maskPath.includes(name));
  if (match === undefined) return undefined;
  if (!names.classNames) return match;
  const out: Record<string, string> = {};
  for (const [value, cls] of Object.entries(names.classNames)) out[value] = `${match}_${cls}`;
  out.default = match;
  return out;
}
