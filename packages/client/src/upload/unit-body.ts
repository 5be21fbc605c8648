import {
  type AnonymizationProfile,
  type Anonymizer,
  type AssembleCompression,
  assembleGroup,
  createAnonymizer,
  planAssembly,
} from '@datamint/dicom';
import type { UploadSource } from './inputs';
import { bytesContent, type UploadContent } from './multipart-body';
import { niftiPairContent } from './nifti-pair';
import { contentOf } from './plan-content';
import type { PlannedUnit } from './plan-types';
import type { RetainTag } from './types';
import { assembledUid } from './unit-id';
import { DicomTransformError } from './upload-errors';

/** What one unit sends: its content and the names it goes under (an assembled series is renamed). */
export interface UnitBody {
  content: UploadContent;
  filename: string;
  sourceFilepath: string;
}

/**
 * One anonymizer per run: UIDs map consistently across every file of the run. Its key is random
 * unless `key` gives one (a journal keeps it, so a resumed run maps UIDs the same way).
 */
export function anonymizerFor(
  plan: { units: readonly PlannedUnit[] },
  options: { anonymizeProfile?: AnonymizationProfile; anonymizeRetainCodes?: readonly RetainTag[] },
  key?: () => Uint8Array,
): Anonymizer | undefined {
  if (!plan.units.some((u) => u.anonymize)) return undefined;
  return createAnonymizer({
    profile: options.anonymizeProfile ?? 'basic',
    retain: [...(options.anonymizeRetainCodes ?? [])],
    ...(key ? { key: key() } : {}),
  });
}

async function assembled(
  unit: PlannedUnit,
  inputs: readonly UploadSource[] | undefined,
  compression: AssembleCompression,
) {
  const first = unit.files[0]!;
  const what = `Assembling the series of ${first.source} (${unit.files.length} files)`;
  try {
    // The plan keeps which files form the series; their headers are read again here, one series
    // at a time, so a plan can run in another process (or a resumed run) without the first one's memory.
    const plan = await planAssembly(
      unit.files.map((f, i) => ({ name: String(i), load: () => contentOf(f.origin, inputs).bytes() })),
    );
    const group = plan.groups[0];
    if (plan.groups.length !== 1 || group!.slices.length !== unit.files.length) {
      throw new Error('its files changed since the upload was planned (plan it again)');
    }
    return await assembleGroup(group!, {
      compression,
      newUid: () => assembledUid(group!.seriesInstanceUID, unit),
    });
  } catch (error) {
    throw new DicomTransformError(what, error);
  }
}

/**
 * Builds what a unit sends, when its upload slot starts (so memory is bounded by the concurrency):
 * a file streamed as it is, a DICOM anonymized, a series assembled (compressed as asked, and
 * anonymized), or a NIfTI pair streamed as one `.nii`. Files uploaded on their own are never
 * recompressed.
 */
export async function unitBody(
  unit: PlannedUnit,
  inputs: readonly UploadSource[] | undefined,
  anonymizer: Anonymizer | undefined,
  compression: AssembleCompression = 'none',
): Promise<UnitBody> {
  const first = unit.files[0]!;
  if (unit.kind === 'nifti-pair' && unit.niftiPair) {
    const image = unit.files[1]!;
    const files = {
      header: { content: contentOf(first.origin, inputs), source: first.source },
      image: { content: contentOf(image.origin, inputs), source: image.source, size: image.size },
    };
    return {
      content: niftiPairContent(files, unit.niftiPair),
      filename: unit.filename,
      sourceFilepath: unit.sourceFilepath,
    };
  }
  if (unit.kind === 'file' && !unit.anonymize) {
    const content = contentOf(first.origin, inputs);
    return {
      content: {
        size: first.size,
        open: () => content.open(first.size),
        ...(content.readInto ? { readInto: content.readInto } : {}),
      },
      filename: unit.filename,
      sourceFilepath: unit.sourceFilepath,
    };
  }
  let bytes: Uint8Array;
  let filename = unit.filename;
  let sourceFilepath = unit.sourceFilepath;
  if (unit.kind === 'series') {
    const output = await assembled(unit, inputs, compression);
    // Python names merged files after the series; the name replaces the path.
    filename = output.name;
    sourceFilepath = output.name;
    bytes = output.bytes;
  } else {
    bytes = await contentOf(first.origin, inputs).bytes();
  }
  if (unit.anonymize && anonymizer) {
    try {
      bytes = anonymizer.anonymize(bytes, { fileName: unit.kind === 'series' ? filename : first.source });
    } catch (error) {
      throw new DicomTransformError(
        unit.kind === 'series' ? `Anonymizing the series of ${first.source}` : `Anonymizing ${first.source}`,
        error,
      );
    }
  }
  return { content: bytesContent(bytes), filename, sourceFilepath };
}
