import { DatamintException } from '@datamint/core';
import { UploadFileError } from '../errors';
import { SegmentationError } from '../segmentations';
import type { PlanProblem, SkippedFile, SkipReason, UploadPlan } from './plan-types';
import type { UnitOutcome } from './send';
import type { UploadResult } from './types';
import { FileContentError, InvalidDicomError, NiftiPairError, UnreadableFileError } from './upload-errors';

/**
 * What a planned file left out on purpose is told, for the reasons that leave out a file planning
 * read (one the caller may have named): a DICOM report, or a DICOMDIR.
 */
export const SKIP_EXPLANATIONS: Partial<Record<SkipReason, string>> = {
  'dicom report':
    'DICOM report (Modality SR, DOC, KO, PR or ESR) not uploaded; pass discardDicomReports: false to upload it',
  'dicom directory': 'DICOMDIR (an index of the files of a medium, no image of its own) not uploaded',
};

/**
 * One line per reason for the files planning read and left out (reports, DICOMDIRs), for an upload
 * whose results only cover what it sent (the v1 `APIHandler`): without it they vanish unsaid.
 */
export function skippedWarnings(skipped: readonly SkippedFile[]): string[] {
  // The first file of each reason, and how many: an export can hold tens of thousands of reports.
  const byReason = new Map<string, { first: string; count: number }>();
  for (const s of skipped) {
    const explanation = SKIP_EXPLANATIONS[s.reason];
    if (explanation === undefined || s.position === undefined) continue;
    const seen = byReason.get(explanation);
    if (seen) seen.count++;
    else byReason.set(explanation, { first: s.source, count: 1 });
  }
  return [...byReason].map(([explanation, { first, count }]) => {
    const more = count > 1 ? ` and ${count - 1} more` : '';
    return `${first}${more}: ${explanation} (no result is returned for ${count === 1 ? 'it' : 'them'})`;
  });
}

/** How a unit ended in this run, or in the earlier run a journal remembers. */
export type FinalOutcome = UnitOutcome | (Extract<UnitOutcome, { ok: true }> & { resumed: true });

/** The typed error of a problem found while planning (plans carry plain data, not error objects). */
export function problemError(problem: PlanProblem): DatamintException {
  const { name, message, code } = problem.error;
  if (name === 'InvalidDicomError')
    return new InvalidDicomError(problem.source, new DatamintException(message));
  if (name === 'UnreadableFileError') return new UnreadableFileError(problem.source, message, code);
  if (name === 'FileContentError') return new FileContentError(problem.source, message);
  if (name === 'NiftiPairError') return new NiftiPairError(problem.source, message);
  if (name === 'SegmentationError') return new SegmentationError(message, undefined, 'segmentations');
  return new DatamintException(message);
}

/** One result per file, in the order the inputs expanded to, matched to units by id. */
export function buildResults(plan: UploadPlan, outcomes: ReadonlyMap<string, FinalOutcome>): UploadResult[] {
  const results: { position: number; result: UploadResult }[] = [];
  for (const problem of plan.problems) {
    results.push({
      position: problem.position,
      result: {
        ok: false,
        source: problem.source,
        error: new UploadFileError(problem.source, problemError(problem)),
      },
    });
  }
  for (const unit of plan.units) {
    const outcome = outcomes.get(unit.id);
    for (const file of unit.files) {
      let result: UploadResult;
      if (!outcome) {
        result = {
          ok: false,
          source: file.source,
          unitId: unit.id,
          error: new UploadFileError(
            file.source,
            new DatamintException('not uploaded: the upload stopped before this file'),
          ),
        };
      } else if (!outcome.ok) {
        const error =
          unit.files.length > 1 ? new UploadFileError(file.source, outcome.error, outcome.id) : outcome.error;
        result = {
          ok: false,
          source: file.source,
          unitId: unit.id,
          error,
          ...(outcome.id ? { id: outcome.id } : {}),
        };
      } else {
        result = {
          ok: true,
          source: file.source,
          unitId: unit.id,
          id: outcome.id,
          filename: outcome.filename,
          ...(unit.files.length > 1 ? { assembledFrom: unit.files.length } : {}),
          segmentationIds: outcome.segmentationIds,
          ...('resumed' in outcome ? { resumed: true as const } : {}),
          ...(outcome.retriedUnknownOutcome ? { retriedUnknownOutcome: true as const } : {}),
        };
      }
      results.push({ position: file.position, result });
    }
  }
  return results.sort((a, b) => a.position - b.position).map((r) => r.result);
}
