import type { DatamintException } from '@datamint/core';
import type { LabelNames } from '@datamint/segmentation';
import type { CallOptions } from '../context';
import type { SegmentationInput } from '../segmentations';
import type { MungFilename } from './filename';
import type { UploadSource } from './inputs';

/** Segmentations of one input: a mask, several masks, or masks with their names and frames. */
export type SegmentationFiles =
  | SegmentationInput
  | readonly SegmentationInput[]
  | {
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

export interface UploadProgress {
  /** Resources finished (uploaded or failed) and expected. */
  filesDone: number;
  filesTotal: number;
  /** Input bytes of the finished resources, and of all of them (sizes before assembly/anonymization). */
  bytesDone: number;
  bytesTotal: number;
  /** The resource that just finished. */
  source: string;
  ok: boolean;
}

export interface UploadBytesProgress {
  /** Input bytes sent so far: finished resources in full, those in flight as far as they got. */
  bytesSent: number;
  bytesTotal: number;
}

export interface UploadResourcesOptions extends CallOptions {
  /** Mimetype for every file; default: detected from the content, then the extension. */
  mimetype?: string;
  /** Anonymize DICOM files (one pseudonymisation key per call, so UIDs stay consistent). */
  anonymize?: boolean;
  /** Attributes kept by the anonymizer. */
  anonymizeRetainCodes?: readonly RetainTag[];
  /**
   * `basic` (default): the PS3.15 Basic Profile of @datamint/dicom. `datamint-sdk`: the Python SDK's
   * tag list and deterministic tokens, for parity with existing data.
   */
  anonymizeProfile?: 'basic' | 'datamint-sdk';
  /** `'raise'` (default): throw the first error once in-flight files finish. `'skip'`: report it in the results. */
  onError?: 'raise' | 'skip';
  tags?: string | readonly string[];
  /** @deprecated Use `tags`. */
  labels?: string | readonly string[];
  mungFilename?: MungFilename;
  channel?: string;
  /** Publish the uploaded resources. */
  publish?: boolean;
  /** Publish and add to this project (name or id); resolved before anything is uploaded. */
  publishTo?: string;
  /** One entry per input (aligned with `files`); `null` for inputs without segmentations. */
  segmentationFiles?: readonly (SegmentationFiles | null | undefined)[];
  transposeSegmentation?: boolean;
  /**
   * One entry per input (aligned with `files`): a JSON file path or an object, sent as the
   * resource's `metadata`. Its `modality` key (any case) is used when `modality` is not given.
   */
  metadataFiles?: readonly (MetadataSource | null | undefined)[];
  modality?: string;
  /** Merge single-frame DICOM slices of one series into one multi-frame resource (default true). */
  assembleDicoms?: boolean;
  /** Directories: descend into sub-directories (`true`), or that many levels. */
  recursive?: boolean | number;
  /** Resources uploaded at once (default: the handler's, 10). */
  concurrency?: number;
  /** Called once per finished resource (uploaded or failed). */
  onProgress?: (progress: UploadProgress) => void;
  /**
   * Called as file bytes are sent (every chunk, and when a resource finishes): for byte-accurate
   * progress bars on big files. A retry starts its file's count again.
   */
  onBytes?: (progress: UploadBytesProgress) => void;
}

/** The outcome for one file, in input order (directories expanded in name order). */
export type UploadResult =
  | {
      ok: true;
      /** The input's path or name. */
      source: string;
      id: string;
      /** The uploaded file name (assembled series get a generated one). */
      filename: string;
      /** Set when several inputs were assembled into this resource: how many. */
      assembledFrom?: number;
      segmentationIds: string[];
    }
  | {
      ok: false;
      source: string;
      error: DatamintException;
      /** Present when the resource was created but a later step failed. */
      id?: string;
    };

export type { UploadSource };
