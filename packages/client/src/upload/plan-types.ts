import type { PlannedOrigin, SkippedFile } from './input-types';
import type { SegmentationTask } from './segmentation-tasks';
import type { MetadataSource } from './types';

// Defined in the leaf module of input types so the walker and the inputs need not import the plan.
export type { PlannedOrigin, SkippedFile, SkipReason } from './input-types';

/** One file of the plan. */
export interface PlannedFile {
  /** Position of the file among every file the inputs expanded to (results come back in this order). */
  position: number;
  /** Index of the argument it came from. */
  inputIndex: number;
  /** How the caller named it: the path (joined under its directory) or the name. */
  source: string;
  /** Where its bytes are read from when the unit is sent. */
  origin: PlannedOrigin;
  /** Bytes, as measured when planning. */
  size: number;
  /** Detected (content first, then the name) or given mimetype. */
  mimetype: string | undefined;
}

/** What planning learnt of a DICOM series that will be assembled into one multi-frame resource. */
export interface PlannedSeries {
  /** The SeriesInstanceUID its slices share. */
  seriesInstanceUid: string;
  /** SeriesDescription (or Modality) of its first slice, for display. */
  description: string | undefined;
  /** The Modality of its first slice (`CT`, `MR`, ...). */
  modality: string | undefined;
}

/**
 * What planning read of a NIfTI `.hdr`/`.img` pair's header: the pair is sent as one single-file
 * NIfTI, the header (its magic and `vox_offset` made a single file's) followed by the image's voxels.
 */
export interface PlannedNiftiPair {
  /** NIfTI-1 or NIfTI-2. */
  version: 1 | 2;
  /** Bytes of the single file's header: the fixed header and four zero bytes (352 or 544). */
  headerBytes: number;
  /** Where the voxels start in the `.img` (the pair's `vox_offset`, usually 0). */
  imageOffset: number;
  /** The voxels' bytes, as the header's dimensions and `bitpix` count them. */
  voxelBytes: number;
  /** The `.img` is gzip data, inflated as it is sent. */
  imageGzip: boolean;
}

/** One resource to create: a file, several DICOM slices assembled into one, or a NIfTI pair joined. */
export interface PlannedUnit {
  /**
   * Stable identity of the unit, derived from its files' sources and sizes: the same inputs plan
   * to the same ids, so results, journals and resumed runs match units by it.
   */
  id: string;
  /**
   * One file, DICOM slices assembled into one resource, or the `.hdr` and `.img` of a NIfTI pair
   * joined into one `.nii`.
   */
  kind: 'file' | 'series' | 'nifti-pair';
  /** The unit's files (a series' slices in the order planning found them; a pair's header, then its image). */
  files: PlannedFile[];
  /** `source_filepath` and `filename` sent (an assembled series gets its name when it is built). */
  sourceFilepath: string;
  /** The file name the resource is created with. */
  filename: string;
  /** The mimetype sent (detected or given); `undefined`: the server decides. */
  mimetype: string | undefined;
  /**
   * Sum of the files' sizes (before assembly or anonymization); for a NIfTI pair, the size of the
   * `.nii` sent, which the header tells.
   */
  size: number;
  /** DICOM content is anonymized before it leaves the machine. */
  anonymize: boolean;
  /** Set for a series to assemble. */
  series?: PlannedSeries;
  /** Set for a NIfTI pair to join. */
  niftiPair?: PlannedNiftiPair;
  /** Something worth knowing before uploading (a series that cannot be assembled...). */
  note?: string;
  /** Masks to attach once the resource exists. */
  segmentations: SegmentationTask[];
  /** Metadata sent with the resource. */
  metadata?: MetadataSource;
  /**
   * `left`/`right` from the DICOM laterality (ImageLaterality, else FrameLaterality, else
   * Laterality), when planning read it (`seriesGrouping: 'platform'` or `discardDicomReports`).
   */
  laterality?: 'left' | 'right';
}

/** A file that cannot be uploaded (unreadable, not a readable DICOM...): it fails alone. */
export interface PlanProblem {
  /** Position among the expanded files (a folder that cannot be listed takes one position). */
  position: number;
  /** Index of the argument it came from. */
  inputIndex: number;
  /** How the caller named it (path or name). */
  source: string;
  /** Error class name (`InvalidDicomError`, `FileAccessError`...) and its message. */
  error: {
    /** The error class name. */
    name: string;
    /** Its message. */
    message: string;
    /** The system error code (`EACCES`, ...), when there is one. */
    code?: string;
  };
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
  /** The resources to create, in input order. */
  units: PlannedUnit[];
  /** Files that cannot be uploaded; each becomes a failed result when the plan runs. */
  problems: PlanProblem[];
  /** Files left out on purpose (system files, filters, depth). */
  skipped: SkippedFile[];
  /** Where stream inputs were copied so they can be re-sent; removed when the plan has run. */
  spoolDir?: string;
}
