/**
 * E21 bodies exactly as the Python SDK v1.4.1 builds them (spec §5.9): hand-built dictionaries keep
 * `None` as `null`, DTO-built ones (lines, segmentations) drop it.
 */

/** `add_image_category_annotation(resource, identifier, value, worklist_id=...)`. */
export function imageCategory(identifier: string, value: string, worklistId: string | null) {
  return {
    identifier,
    value,
    scope: 'image',
    type: 'category',
    imported_from: null,
    import_author: null,
    annotation_worklist_id: worklistId,
  };
}

/** `add_frame_category_annotation(resource, (first, last), identifier, value)`: one element per frame. */
export function frameCategories(
  frames: number[],
  identifier: string,
  value: string,
  importAuthor: string | null = null,
) {
  return frames.map((frame_index) => ({
    identifier,
    value,
    scope: 'frame',
    frame_index,
    annotation_worklist_id: null,
    imported_from: null,
    import_author: importAuthor,
    type: 'category',
  }));
}
