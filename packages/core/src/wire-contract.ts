/**
 * Values of the Datamint wire contract that both the client (to validate before sending) and the
 * local server (to validate what it accepts) need, kept in one place so they cannot drift.
 */

/** `annotation_type` / `type` values of annotations (http-api.md §3.6, §4.20). */
export const ANNOTATION_TYPES = [
  'segmentation',
  'area',
  'distance',
  'angle',
  'point',
  'line',
  'region',
  'square',
  'circle',
  'category',
  'label',
  // Numeric annotations of the current platform (a JSON number in `value`).
  'integer',
  'float',
] as const;

export type AnnotationType = (typeof ANNOTATION_TYPES)[number];
