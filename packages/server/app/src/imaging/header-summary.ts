import type { ParsedDicom } from '@datamint/dicom';

// The metadata panel shows technical attributes only. It is an allow-list on purpose: a deny-list would
// show any identifying attribute we forgot (names, IDs, dates, free text, private tags).
const SAFE_KEYWORDS = [
  'Modality',
  'SOPClassUID',
  'Manufacturer',
  'ManufacturerModelName',
  'BodyPartExamined',
  'Rows',
  'Columns',
  'NumberOfFrames',
  'SamplesPerPixel',
  'PhotometricInterpretation',
  'BitsAllocated',
  'BitsStored',
  'PixelRepresentation',
  'PixelSpacing',
  'SliceThickness',
  'SpacingBetweenSlices',
  'ImageOrientationPatient',
  'ImagePositionPatient',
  'RescaleSlope',
  'RescaleIntercept',
  'WindowCenter',
  'WindowWidth',
  'KVP',
  'MagneticFieldStrength',
  'EchoTime',
  'RepetitionTime',
] as const;

/** `[keyword, value]` rows of the technical attributes present in the header, no identifying data. */
export function dicomHeaderSummary(parsed: ParsedDicom): Array<[string, string]> {
  const rows: Array<[string, string]> = [['TransferSyntaxUID', parsed.transferSyntaxUID ?? '']];
  for (const keyword of SAFE_KEYWORDS) {
    if (!parsed.has(keyword)) continue;
    const values = parsed.strings(keyword);
    const text = values && values.length > 0 ? values.join(' \\ ') : String(parsed.number(keyword) ?? '');
    if (text !== '') rows.push([keyword, text]);
  }
  return rows;
}

/** `[key, value]` rows of a NIfTI resource's header as the server keeps it in `metadata`. */
export function niftiHeaderSummary(
  metadata: Record<string, unknown> | null | undefined,
): Array<[string, string]> {
  if (!metadata) return [];
  const keys = [
    'dims',
    'dim',
    'pixDims',
    'pixdim',
    'datatype',
    'datatypeCode',
    'qformCode',
    'sformCode',
    'affine',
  ];
  const rows: Array<[string, string]> = [];
  for (const key of keys) {
    if (metadata[key] === undefined) continue;
    rows.push([key, JSON.stringify(metadata[key])]);
  }
  return rows;
}
