import type { AnnotationType, ResourceOrderField, ResourceStatus } from '@datamint/core/internal';

export type { AnnotationType, ResourceStatus };
// Shapes of what the Datamint API returns. Fields the server may add are kept (index signatures), so
// new server fields never break typing.

/** The fields resources can be ordered by. */
export type ResourceFields = ResourceOrderField;

/** An annotation worklist's state. */
export type WorklistStatus = 'new' | 'updating' | 'active' | 'completed';
/** An annotation's review state: `new` until it is published (approved). */
export type AnnotationStatus = 'new' | 'published';

/** A stored file (DICOM series, image, video, NIfTI volume) as the API returns it. */
export interface Resource {
  /** The resource id. */
  id: string;
  /** The file name it was uploaded with. */
  filename: string;
  /** Its content type (`application/dicom`, `image/png`, ...), `null` when unknown. */
  mimetype: string | null;
  /** Where it is in its life: `inbox` after upload, `published` once published, ... */
  status: ResourceStatus;
  /** How the platform stores it (`DicomResource`, `ImageResource`, `NiftiResource`, ...). */
  storage?: string;
  /** The DICOM modality (`CT`, `MR`, ...), when it has one. */
  modality?: string | null;
  /** The file size in bytes. */
  size?: number;
  /** The channel it was uploaded through. */
  upload_channel?: string | null;
  /** The path it was uploaded from, as the uploader named it. */
  source_filepath?: string | null;
  /** Its tags. */
  tags?: string[];
  /** The metadata attached at upload (JSON). */
  metadata?: Record<string, unknown>;
  /** When it was uploaded (ISO 8601). */
  created_at?: string;
  /** Who uploaded it (e-mail). */
  created_by?: string;
  /** Whether it is published. */
  published?: boolean;
  /** When it was published (ISO 8601). */
  published_on?: string | null;
  /** Who published it. */
  published_by?: string | null;
  /** Whether it was deleted. */
  deleted?: boolean;
  [key: string]: unknown;
}

/** A project: a set of resources with its annotation worklist, as the API returns it. */
export interface Project {
  /** The project id. */
  id: string;
  /** The project name (unique per organisation). */
  name: string;
  /** Its description. */
  description?: string | null;
  /** The id of the project's dataset (its resources). */
  dataset_id: string;
  /** The id of the project's annotation worklist. */
  worklist_id: string;
  /** When it was created (ISO 8601). */
  created_at?: string;
  /** Who created it (e-mail). */
  created_by?: string;
  /** The server sends most counts as strings. */
  resource_count?: string | number;
  [key: string]: unknown;
}

/** A dataset (a named set of resources) as the API returns it. */
export interface Dataset {
  /** The dataset id. */
  id: string;
  /** The dataset name. */
  name?: string;
  /** When it last changed (ISO 8601). */
  updated_at?: string;
  [key: string]: unknown;
}

/** One resource of an upload channel. */
export interface ChannelResource {
  /** The resource id. */
  resource_id: string;
  /** The resource's file name. */
  resource_file_name: string;
  /** The resource's content type. */
  resource_mimetype: string | null;
  /** Who uploaded it. */
  created_by?: string;
  /** The organisation it belongs to. */
  customer_id?: string;
  [key: string]: unknown;
}

/** An upload channel (a named group of uploads) with its resources. */
export interface Channel {
  /** The channel name; `null` for resources uploaded without one. */
  channel_name: string | null;
  /** The resources uploaded through it. */
  resource_data: ChannelResource[];
  /** How many resources it holds (the server often sends a string). */
  resource_count: string | number;
  /** Whether it was deleted. */
  deleted?: boolean;
  /** When it was created (ISO 8601). */
  created_at?: string;
  /** When it last changed (ISO 8601). */
  updated_at?: string;
  [key: string]: unknown;
}

/** A user of the key's organisation. */
export interface User {
  /** The user's e-mail, which identifies them. */
  email: string;
  /** First name. */
  firstname?: string | null;
  /** Last name. */
  lastname?: string | null;
  /** Their roles (`admin`, `annotator`, ...). */
  roles?: string[];
  /** The organisation they belong to. */
  customer_id?: string;
  /** When the account was created (ISO 8601). */
  created_at?: string;
  [key: string]: unknown;
}

/** An annotation as the API returns it. */
export interface Annotation {
  /** The annotation id. */
  id: string;
  /** The resource it annotates. */
  resource_id: string;
  /** The label (sent as `identifier`). */
  name: string;
  /** What kind it is (`category`, `label`, `line`, `square`, `segmentation`, ...). */
  type: AnnotationType | string;
  /** Whether it applies to the whole image or to one frame. */
  scope: 'image' | 'frame';
  /** Frame index; `null` for image scope. */
  index: number | null;
  /** A category's value; `null` for labels and geometry. */
  value: string | null;
  /** The points of a line or box, in the coordinates they were sent in. */
  geometry?: {
    /** The points, each `[x, y]`, `[x, y, frame]` or patient `[X, Y, Z]`. */
    points: (number | null)[][];
  } | null;
  /** The worklist it belongs to. */
  annotation_worklist_id?: string | null;
  /** Where it came from (a tool or file name). */
  imported_from?: string | null;
  /** Who made it (e-mail). */
  added_by?: string;
  /** Whether a model made it. */
  is_model?: boolean;
  /** The model that made it. */
  model_id?: string | null;
  /** Its review state. */
  status?: AnnotationStatus | string;
  /** For a segmentation: where its mask file is stored. */
  file?: string | null;
  /** When it was made (ISO 8601). */
  created_at?: string;
  [key: string]: unknown;
}

/** An annotation worklist (the platform calls them annotation sets) as the API returns it. */
export interface Worklist {
  /** The worklist id. */
  id: string;
  /** The worklist name. */
  name?: string;
  /** Its description. */
  description?: string | null;
  /** Its state. */
  status?: WorklistStatus;
  /** The frame labels annotators may use. */
  frame_labels?: string[];
  /** The image labels annotators may use. */
  image_labels?: string[];
  /** Its annotation definitions, as the platform stores them. */
  annotations?: Record<string, unknown>[];
  /** The resources to annotate. */
  resource_ids?: string[];
  [key: string]: unknown;
}

/** An experiment of a project (a model training run) as the API returns it. */
export interface Experiment {
  /** The experiment id. */
  id: string;
  /** The experiment name. */
  name: string;
  /** When it started (ISO 8601). */
  created_at?: string;
  /** When it completed; `null` while it runs. */
  completed_at?: string | null;
  [key: string]: unknown;
}
