import { type ParsedDicom, toTagKey } from '@datamint/dicom';

/** Modalities of DICOM objects that hold no image: reports, key objects, presentation states. */
const REPORT_MODALITIES = new Set(['SR', 'DOC', 'KO', 'PR', 'ESR']);

/**
 * The Media Storage SOP Class of a DICOMDIR: an index of the files on a medium (a CD, a folder of
 * a scanner's export), with no image of its own.
 */
export const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/**
 * Attributes the platform's current client groups slices by: slices agreeing on all of them form
 * one resource.
 */
const GROUP_KEYS = [
  'SeriesInstanceUID',
  'StudyInstanceUID',
  'Modality',
  'ImageOrientationPatient',
  'Laterality',
  'ImageLaterality',
  'Rows',
  'Columns',
] as const;

/** Every attribute {@link dicomFacts} reads, and the label of a series: what planning parses of a header. */
export const FACT_TAGS: readonly string[] = [
  ...GROUP_KEYS,
  'ImageLaterality',
  'FrameLaterality',
  'SeriesDescription',
];

/** What planning reads of a DICOM header beyond the series grouping of @datamint/dicom. */
export interface DicomFacts {
  /** A report or other non-image object. */
  report: boolean;
  /** From ImageLaterality, else FrameLaterality, else Laterality. */
  laterality: 'left' | 'right' | undefined;
  /** The grouping key (equal keys: one resource), when the reader was asked for it. */
  key?: string;
}

function text(header: ParsedDicom, keyword: string, keys: ReadonlyMap<string, string>): string {
  const key = keys.get(keyword) ?? keyword;
  // Orientation is compared as numbers, so "1.0" and "1" agree as they do for the platform.
  if (keyword === 'ImageOrientationPatient') return (header.numbers(key) ?? []).join('\\');
  return (header.string(key) ?? '').trim();
}

/**
 * Reads the facts of parsed headers; the attributes' data set keys are resolved once, when it is
 * made, rather than once per file. The grouping key, eight attributes, is read only when `grouping`
 * (platform grouping) needs it.
 */
export function factReader(grouping: boolean): (header: ParsedDicom) => DicomFacts {
  const keys = new Map(FACT_TAGS.map((k) => [k, toTagKey(k)]));
  return (header) => {
    const modality = text(header, 'Modality', keys).toUpperCase();
    const side =
      ['ImageLaterality', 'FrameLaterality', 'Laterality']
        .map((k) => text(header, k, keys).toUpperCase())
        .find((v) => v !== '') ?? '';
    return {
      report: REPORT_MODALITIES.has(modality),
      laterality: side === 'L' ? 'left' : side === 'R' ? 'right' : undefined,
      ...(grouping ? { key: JSON.stringify(GROUP_KEYS.map((k) => text(header, k, keys))) } : {}),
    };
  };
}

/**
 * Splits files by grouping key, keeping their order; a file whose header could not be read stays
 * alone (its full read reports why).
 */
export function partitionByKey<T extends { facts?: DicomFacts }>(items: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  items.forEach((item, i) => {
    const key = item.facts?.key ?? `unread:${i}`;
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  });
  return [...groups.values()];
}
