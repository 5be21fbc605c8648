import { DatamintException } from '@datamint/core';
import { parseDicom } from '@datamint/dicom';
import type { UploadResourcesOptions } from './types';
import type { UploadUnit } from './units';
import type { Slot } from './upload-resources';

export const DICOM_MIMETYPE = 'application/dicom';

/** A DICOM input that does not parse (truncated, not DICOM despite its name...). */
export class InvalidDicomError extends DatamintException {
  override name = 'InvalidDicomError';
  readonly source: string;
  constructor(source: string, cause: unknown) {
    super(
      `${source} is not a readable DICOM file: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.source = source;
  }
}

/**
 * The DICOM part of the pipeline: checks every DICOM input parses (a broken one fails alone, not the
 * batch), and builds the units that must be transformed. Returns only transformed units; the others
 * are uploaded unchanged by the caller.
 */
export async function planDicomUnits(
  slots: Slot[],
  options: UploadResourcesOptions,
  _mung: 'all' | number[] | undefined,
  _concurrency: number,
): Promise<UploadUnit[]> {
  const dicomSlots = slots.filter((s) => s.entry && !s.error && s.mimetype === DICOM_MIMETYPE);
  if (dicomSlots.length === 0) return [];
  if (options.anonymize) {
    throw new DatamintException(
      'anonymize: true needs the DICOM anonymizer of @datamint/dicom, which this build does not include yet',
    );
  }
  for (const slot of dicomSlots) {
    try {
      parseDicom(await slot.entry!.bytes(), { fileName: slot.source });
    } catch (error) {
      slot.error = new InvalidDicomError(slot.source, error);
    }
  }
  return [];
}
