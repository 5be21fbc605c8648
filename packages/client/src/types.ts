import type { AnnotationType, ResourceOrderField, ResourceStatus } from '@datamint/core/internal';

export type { AnnotationType, ResourceStatus };
/**
 * Shapes of what the Datamint API returns (http-api.md §3). Fields the server may add are kept
 * (index signatures), so new server fields never break typing.
 */

/** The fields resources can be ordered by. */
export type ResourceFields = ResourceOrderField;

export type WorklistStatus = 'new' | 'updating' | 'active' | 'completed';
export type AnnotationStatus = 'new' | 'published';

export interface Resource {
  id: string;
  filename: string;
  mimetype: string | null;
  status: ResourceStatus;
  storage?: string;
  modality?: string | null;
  size?: number;
  upload_channel?: string | null;
  source_filepath?: string | null;
  tags?: string[];
  metadata?: Record<string, unknown>;
  created_at?: string;
  created_by?: string;
  published?: boolean;
  published_on?: string | null;
  published_by?: string | null;
  deleted?: boolean;
  [key: string]: unknown;
}

export interface Project {
  id: string;
  name: string;
  description?: string | null;
  dataset_id: string;
  worklist_id: string;
  created_at?: string;
  created_by?: string;
  /** The server sends most counts as strings. */
  resource_count?: string | number;
  [key: string]: unknown;
}

export interface Dataset {
  id: string;
  name?: string;
  updated_at?: string;
  [key: string]: unknown;
}

export interface ChannelResource {
  resource_id: string;
  resource_file_name: string;
  resource_mimetype: string | null;
  created_by?: string;
  customer_id?: string;
  [key: string]: unknown;
}

export interface Channel {
  channel_name: string | null;
  resource_data: ChannelResource[];
  resource_count: string | number;
  deleted?: boolean;
  created_at?: string;
  updated_at?: string;
  [key: string]: unknown;
}

export interface User {
  email: string;
  firstname?: string | null;
  lastname?: string | null;
  roles?: string[];
  customer_id?: string;
  created_at?: string;
  [key: string]: unknown;
}

export interface Annotation {
  id: string;
  resource_id: string;
  /** The label (sent as `identifier`). */
  name: string;
  type: AnnotationType | string;
  scope: 'image' | 'frame';
  /** Frame index; `null` for image scope. */
  index: number | null;
  value: string | null;
  geometry?: { points: (number | null)[][] } | null;
  annotation_worklist_id?: string | null;
  imported_from?: string | null;
  added_by?: string;
  is_model?: boolean;
  model_id?: string | null;
  status?: AnnotationStatus | string;
  file?: string | null;
  created_at?: string;
  [key: string]: unknown;
}

export interface Worklist {
  id: string;
  name?: string;
  description?: string | null;
  status?: WorklistStatus;
  frame_labels?: string[];
  image_labels?: string[];
  annotations?: Record<string, unknown>[];
  resource_ids?: string[];
  [key: string]: unknown;
}

export interface Experiment {
  id: string;
  name: string;
  created_at?: string;
  completed_at?: string | null;
  [key: string]: unknown;
}
