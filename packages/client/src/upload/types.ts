import type { DatamintException } from '@datamint/core';
import type { AssembleCompression } from '@datamint/dicom';
import type { LabelNames } from '@datamint/segmentation';
import type { CallOptions } from '../context';
import type { SegmentationInput } from '../segmentations';
import type { MungFilename } from './filename';
import type { UploadSource, WalkOptions } from './input-types';

/** Segmentations of one input: a mask, several masks, or masks with their names and frames. */
export type SegmentationFiles =
  | SegmentationInput
  | readonly SegmentationInput[]
  | {
      /** The mask or masks. */
      files: SegmentationInput | readonly SegmentationInput[];
      /** One naming for every file, or one per file (aligned with `files`). */
      names?: LabelNames | readonly (LabelNames | null | undefined)[];
      /** Resource frames of each file's mask frames: aligned with `files` when `files` is an array. */
      frameIndex?: number | readonly number[] | readonly (number | readonly number[] | null | undefined)[];
    };

/** Metadata of one input: a JSON file path or the object itself. */
export type MetadataSource = string | Readonly<Record<string, unknown>>;

/** A DICOM attribute to keep when anonymizing: `[group, element]`, `0x00100010`, or `'(0010,0010)'`. */
export type RetainTag = readonly [number, number] | number | string;

/** Reported through `onProgress` each time a resource finishes. */
export interface UploadProgress {
  /** Resources finished (uploaded or failed) and expected. */
  filesDone: number;
  /** Resources expected in total. */
  filesTotal: number;
  /** Input bytes of the finished resources, and of all of them (sizes before assembly/anonymization). */
  bytesDone: number;
  /** Input bytes of all resources. */
  bytesTotal: number;
  /** The resource that just finished: its first file, and its plan unit. */
  source: string;
  /** The plan unit that just finished. */
  unitId: string;
  /** Whether it was uploaded (`false`: it failed; see the results). */
  ok: boolean;
  /**
   * Why it failed, when it did: the same error as its result's. A caller can stop the rest early
   * on it (an `APIConnectionError` after the retries: the server is gone).
   */
  error?: Error;
}

/** Reported through `onBytes` as bytes leave the machine. */
export interface UploadBytesProgress {
  /** Input bytes sent so far: finished resources in full, those in flight as far as they got. */
  bytesSent: number;
  /** Input bytes of all resources. */
  bytesTotal: number;
}

/** What `planUpload` needs: how to find, name, type, group and attach the files. */
export interface PlanUploadOptions extends WalkOptions {
  /** Mimetype for every file; default: detected from the content, then the extension. */
  mimetype?: string;
  /** Anonymize DICOM files before they leave the machine. */
  anonymize?: boolean;
  /** How `filename` is derived from the path (the Python SDK's `mung_filename`). */
  mungFilename?: MungFilename;
  /** One entry per input (aligned with `files`); `null` for inputs without segmentations. */
  segmentationFiles?: readonly (SegmentationFiles | null | undefined)[];
  /**
   * One entry per input (aligned with `files`): a JSON file path or an object, sent as the
   * resource's `metadata`. Its `modality` key (any case) is used when `modality` is not given.
   */
  metadataFiles?: readonly (MetadataSource | null | undefined)[];
  /**
   * Masks of files found in directories, by the file's source path (as the plan names it): for
   * callers that match masks to images by their layout on disk. A function is asked once per file
   * found, so masks can be located without walking the inputs twice.
   */
  segmentationsBySource?:
    | ReadonlyMap<string, SegmentationFiles>
    | ((source: string) => SegmentationFiles | undefined | Promise<SegmentationFiles | undefined>);
  /**
   * BIDS-style metadata: `X.json` next to `X.nii`/`X.nii.gz` becomes the volume's metadata and is
   * not uploaded as a resource of its own (default false).
   */
  jsonSidecars?: boolean;
  /** Merge single-frame DICOM slices of one series into one multi-frame resource (default true). */
  assembleDicoms?: boolean;
  /**
   * Which slices form one assembled resource. `'series'` (default): the slices of one
   * SeriesInstanceUID (a series whose slices differ in size or frame of reference is uploaded as
   * separate files). `'platform'`: as the platform's current client groups them — the slices that
   * share SeriesInstanceUID, StudyInstanceUID, Modality, ImageOrientationPatient, Laterality,
   * ImageLaterality, Rows and Columns — so a series with two orientations becomes two resources.
   * Frames are ordered by position along the slice normal either way.
   */
  seriesGrouping?: 'series' | 'platform';
  /**
   * Leave out DICOM reports and other non-image objects (Modality SR, DOC, KO, PR, ESR): they are
   * listed in the plan's `skipped` with reason `'dicom report'` (default false).
   */
  discardDicomReports?: boolean;
  /**
   * Python's `transpose_segmentation` for every mask (for NIfTI its meaning is inverted, as in
   * Python). Planning checks each mask's size against its image's with it; sending reads the masks
   * with it.
   */
  transposeSegmentation?: boolean;
  /** Files read at once while planning (default: the handler's concurrency, 10). */
  concurrency?: number;
  /** Stops planning; it then throws `APIUserAbortError`. */
  signal?: AbortSignal;
}

export interface UploadResourcesOptions extends PlanUploadOptions, CallOptions {
  /** Attributes kept by the anonymizer. */
  anonymizeRetainCodes?: readonly RetainTag[];
  /**
   * `basic` (default): the PS3.15 Basic Profile of @datamint/dicom. `datamint-sdk`: the Python SDK's
   * tag list and deterministic tokens, for parity with existing data.
   */
  anonymizeProfile?: 'basic' | 'datamint-sdk';
  /**
   * How DICOM series assembled into one resource store their pixels: `'none'` (default, as the
   * Python SDK 1.4.1 `APIHandler` sends them) or `'jpeg-ls'` (JPEG-LS Lossless multi-frame, as the
   * platform's current client sends them; typically half the bytes for CT and MR). Slices already
   * compressed, and files uploaded on their own, are sent as they are.
   */
  compression?: AssembleCompression;
  /** `'raise'` (default): throw the first error once in-flight files finish. `'skip'`: report it in the results. */
  onError?: 'raise' | 'skip';
  /** Tags for every uploaded resource. */
  tags?: string | readonly string[];
  /** @deprecated Use `tags`. */
  labels?: string | readonly string[];
  /** The upload channel to record them under. */
  channel?: string;
  /** Publish the uploaded resources. */
  publish?: boolean;
  /** Publish and add to this project (name or id); resolved before anything is uploaded. */
  publishTo?: string;
  /** The modality field sent with every resource (default: the metadata's `modality`, if any). */
  modality?: string;
  /**
   * A file (JSON lines) recording each unit's outcome and idempotency key as it completes. Run the
   * same upload again with the same journal and only what did not land is sent; a unit whose
   * outcome was unknown is sent again under its original key, so the server does not duplicate it.
   */
  journal?: string;
  /**
   * The in-memory inputs (Files, Blobs, bytes) a plan refers to, when running a plan made from
   * them: `uploadResources(plan, { sources: files })`. Not needed for plans of paths.
   */
  sources?: readonly UploadSource[];
  /** Called once per finished resource (uploaded or failed). */
  onProgress?: (progress: UploadProgress) => void;
  /**
   * Called as file bytes are sent (every chunk, and when a resource finishes): for byte-accurate
   * progress bars on big files. A retry starts its file's count again. A file of at most 1 MiB is
   * counted whole when its request body is put together, just before it goes to the socket.
   */
  onBytes?: (progress: UploadBytesProgress) => void;
}

/** The outcome for one file, in input order (directories expanded in name order). */
export type UploadResult =
  | {
      /** Uploaded. */
      ok: true;
      /** The input's path or name. */
      source: string;
      /** The plan unit the file belonged to (see `UploadPlan.units`). */
      unitId: string;
      /** The created resource's id. */
      id: string;
      /** The uploaded file name (assembled series get a generated one). */
      filename: string;
      /** Set when several inputs were assembled into this resource: how many. */
      assembledFrom?: number;
      /** Ids of the segmentation annotations attached. */
      segmentationIds: string[];
      /** Uploaded by an earlier run of the same journal, not this one. */
      resumed?: true;
      /**
       * The first create's answer was lost after it was sent (its outcome unknown), so it was sent
       * again under the same Idempotency-Key, which the server honours: the resource exists once,
       * whether the first attempt had stored it or not.
       */
      retriedUnknownOutcome?: true;
    }
  | {
      /** Failed. */
      ok: false;
      /** The input's path or name. */
      source: string;
      /** Why (`UploadFileError`, `InvalidDicomError`, an `APIError`, ...). */
      error: DatamintException;
      /** The plan unit, when the file was part of one (problems found while planning have none). */
      unitId?: string;
      /** Present when the resource was created but a later step failed. */
      id?: string;
    };

export type { UploadSource };
