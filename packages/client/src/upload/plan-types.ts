import type { SegmentationTask } from './segmentation-tasks';
import type { MetadataSource } from './types';

/**
 * Where a planned file's bytes come from: a path on disk (read again when the unit is sent), or
 * the caller's in-memory input at `inputIndex` (a `File`, a `Blob` or bytes), which must be passed
 * again to run the plan.
 */
export type PlannedOrigin = { kind: 'path'; path: string } | { kind: 'input'; inputIndex: number };

/** One file of the plan. */
export interface PlannedFile {
  /** Position of the file among every file the inputs expanded to (results come back in this order). */
  position: number;
  /** Index of the argument it came from. */
  inputIndex: number;
  /** How the caller named it: the path (joined under its directory) or the name. */
  source: string;
  origin: PlannedOrigin;
  /** Bytes, as measured when planning. */
  size: number;
  /** Detected (content first, then the name) or given mimetype. */
  mimetype: string | undefined;
}

/** What planning learnt of a DICOM series that will be assembled into one multi-frame resource. */
export interface PlannedSeries {
  seriesInstanceUid: string;
  /** SeriesDescription (or Modality) of its first slice, for display. */
  description: string | undefined;
  modality: string | undefined;
}

/** One resource to create: a file, or several DICOM slices assembled into one. */
export interface PlannedUnit {
  /**
   * Stable identity of the unit, derived from its files' sources and sizes: the same inputs plan
   * to the same ids, so results, journals and resumed runs match units by it.
   */
  id: string;
  kind: 'file' | 'series';
  /** The unit's files (a series' slices in the order planning found them). */
  files: PlannedFile[];
  /** `source_filepath` and `filename` sent (an assembled series gets its name when it is built). */
  sourceFilepath: string;
  filename: string;
  mimetype: string | undefined;
  /** Sum of the files' sizes (before assembly or anonymization). */
  size: number;
  /** DICOM content is anonymized before it leaves the machine. */
  anonymize: boolean;
  series?: PlannedSeries;
  /** Something worth knowing before uploading (a series that cannot be assembled...). */
  note?: string;
  segmentations: SegmentationTask[];
  metadata?: MetadataSource;
}

/** Why a file found in a directory is not part of the plan. */
export type SkipReason = 'system file' | 'empty' | 'extension filter' | 'excluded directory' | 'too deep';

/** A file or folder found in a directory and left out on purpose. */
export interface SkippedFile {
  source: string;
  reason: SkipReason;
}

/** A file that cannot be uploaded (unreadable, not a readable DICOM...): it fails alone. */
export interface PlanProblem {
  /** Position among the expanded files (a folder that cannot be listed takes one position). */
  position: number;
  inputIndex: number;
  source: string;
  /** Error class name (`InvalidDicomError`, `FileAccessError`...) and its message. */
  error: { name: string; message: string; code?: string };
}

/**
 * What an upload will do, as plain data: built by `planUpload`, run by `uploadResources(plan)`,
 * rendered by the CLI. JSON-serialisable when every input and mask is a path.
 */
export interface UploadPlan {
  /** Format version of this object. */
  version: 1;
  /** Number of arguments the plan was made from. */
  inputCount: number;
  units: PlannedUnit[];
  problems: PlanProblem[];
  skipped: SkippedFile[];
  /** Where stream inputs were copied so they can be re-sent; removed when the plan has run. */
  spoolDir?: string;
}
