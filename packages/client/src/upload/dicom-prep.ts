import { DatamintException, mapSettled } from '@datamint/core';
import {
  type AnonymizationProfile,
  type Anonymizer,
  assembleGroup,
  createAnonymizer,
  parseDicom,
  planAssembly,
  type SeriesGroup,
} from '@datamint/dicom';
import { bytesContent } from './multipart-body';
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

/** Anonymizing or assembling a DICOM failed. */
export class DicomTransformError extends DatamintException {
  override name = 'DicomTransformError';
  constructor(what: string, cause: unknown) {
    super(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

function anonymizerFor(options: UploadResourcesOptions): Anonymizer | undefined {
  if (!options.anonymize) return undefined;
  const profile: AnonymizationProfile = options.anonymizeProfile ?? 'basic';
  // One anonymizer (one random key) per call: UIDs map consistently across every file of the call.
  return createAnonymizer({ profile, retain: [...(options.anonymizeRetainCodes ?? [])] });
}

/** One resource made of a series: assembled (and anonymized) when its slot starts. */
function assembledUnit(
  group: SeriesGroup,
  slotOf: (name: string) => number,
  slots: Slot[],
  anonymizer: Anonymizer | undefined,
): UploadUnit {
  const members = group.slices.map((s) => slotOf(s.name));
  const first = slots[members[0]!]!;
  const unit: UploadUnit = {
    members,
    source: first.source,
    sourceFilepath: first.names!.sourceFilepath,
    filename: first.names!.filename,
    mimetype: DICOM_MIMETYPE,
    size: members.reduce((sum, m) => sum + (slots[m]!.entry?.size ?? 0), 0),
    body: async () => {
      let bytes: Uint8Array;
      try {
        const output = await assembleGroup(group);
        // Python names merged files after the series; the name replaces the path (http-api.md §5.4).
        unit.filename = output.name;
        unit.sourceFilepath = output.name;
        bytes = output.bytes;
      } catch (error) {
        throw new DicomTransformError(
          `Assembling the series of ${first.source} (${members.length} files)`,
          error,
        );
      }
      if (anonymizer) {
        try {
          bytes = anonymizer.anonymize(bytes, { fileName: unit.filename });
        } catch (error) {
          throw new DicomTransformError(`Anonymizing the series of ${first.source}`, error);
        }
      }
      unit.size = bytes.byteLength;
      return bytesContent(bytes);
    },
    ...(members.some((m) => slots[m]!.metadata !== undefined)
      ? { metadata: members.map((m) => slots[m]!.metadata).find((md) => md !== undefined)! }
      : {}),
    // A one-frame mask of one slice goes on that slice's frame of the merged resource; a volume
    // mask (given with any slice) covers the series as it is.
    segmentations: members.flatMap((m, frame) =>
      slots[m]!.segmentations.map((task) => ({ ...task, memberFrame: frame })),
    ),
  };
  return unit;
}

function anonymizedUnit(index: number, slot: Slot, anonymizer: Anonymizer): UploadUnit {
  const unit: UploadUnit = {
    members: [index],
    source: slot.source,
    sourceFilepath: slot.names!.sourceFilepath,
    filename: slot.names!.filename,
    mimetype: DICOM_MIMETYPE,
    size: slot.entry!.size,
    body: async () => {
      let bytes: Uint8Array;
      try {
        bytes = anonymizer.anonymize(await slot.entry!.bytes(), { fileName: slot.source });
      } catch (error) {
        throw new DicomTransformError(`Anonymizing ${slot.source}`, error);
      }
      unit.size = bytes.byteLength;
      return bytesContent(bytes);
    },
    segmentations: slot.segmentations,
    ...(slot.metadata !== undefined ? { metadata: slot.metadata } : {}),
  };
  return unit;
}

/**
 * The DICOM part of the pipeline. Every DICOM input must parse (a broken one fails alone, not the
 * batch, unlike Python). With `assembleDicoms`, slices of one series become one multi-frame
 * resource (only series with several slices; others are sent as they are). With `anonymize`,
 * every DICOM is anonymized with one key per call. Transformations run when the unit's upload
 * slot starts, so memory is bounded by the concurrency. Returns only the transformed units.
 */
export async function planDicomUnits(
  slots: Slot[],
  options: UploadResourcesOptions,
  concurrency: number,
): Promise<UploadUnit[]> {
  const indexes = slots.flatMap((s, i) => (s.entry && !s.error && s.mimetype === DICOM_MIMETYPE ? [i] : []));
  if (indexes.length === 0) return [];
  // One file in memory per worker: a full parse catches truncated pixel data too.
  await mapSettled(indexes, concurrency, async (i) => {
    const slot = slots[i]!;
    try {
      parseDicom(await slot.entry!.bytes(), { fileName: slot.source });
    } catch (error) {
      slot.error = new InvalidDicomError(slot.source, error);
    }
  });
  const valid = indexes.filter((i) => !slots[i]!.error);
  const anonymizer = anonymizerFor(options);
  const units: UploadUnit[] = [];
  const covered = new Set<number>();
  if (options.assembleDicoms ?? true) {
    const plan = await planAssembly(
      valid.map((i) => ({ name: String(i), load: () => slots[i]!.entry!.bytes() })),
    );
    for (const group of plan.groups) {
      const unit = assembledUnit(group, Number, slots, anonymizer);
      for (const m of unit.members) covered.add(m);
      units.push(unit);
    }
  }
  if (anonymizer) {
    for (const i of valid) if (!covered.has(i)) units.push(anonymizedUnit(i, slots[i]!, anonymizer));
  }
  return units;
}
