import path from 'node:path';
import type { JsonValue } from '@datamint/core';
import { multipartFileName } from '@datamint/core';
import { pythonJsonDumps } from '@datamint/core/internal';
import { normaliseName } from './filename';
import type { MultipartPart } from './multipart-body';
import type { SendSettings } from './options';
import type { PlannedUnit } from './plan-types';
import type { UnitBody } from './unit-body';

/** What the parts of one `POST /resources` are built from. */
export interface ResourcePartsInput {
  unit: PlannedUnit;
  body: UnitBody;
  metadata: { text: string; modality?: string } | undefined;
  modality: string | undefined;
  fields: SendSettings['fields'];
}

/** Builds the multipart parts of one `POST /resources`, in the order they are sent. */
export type ResourcePartsBuilder = (input: ResourcePartsInput) => MultipartPart[];

/** The Python SDK 1.4.1 layout (`APIHandler`): mimetype only when known, no `bypass_inbox`. */
export const defaultResourceParts: ResourcePartsBuilder = ({ unit, body, metadata, modality, fields }) => {
  const parts: MultipartPart[] = [
    { name: 'source', value: 'api' },
    {
      name: 'resource',
      filename: multipartFileName(body.filename),
      contentType: unit.mimetype ?? 'application/octet-stream',
      content: body.content,
      displayName: body.filename,
    },
    { name: 'source_filepath', value: body.sourceFilepath },
  ];
  if (unit.mimetype) parts.push({ name: 'mimetype', value: unit.mimetype });
  if (fields.channel !== undefined) parts.push({ name: 'channel', value: fields.channel });
  if (modality !== undefined) parts.push({ name: 'modality', value: modality });
  if (fields.tags.length > 0) parts.push({ name: 'tags', value: fields.tags.join(',') });
  if (metadata !== undefined) {
    parts.push({ name: 'metadata', value: metadata.text, contentType: 'application/json' });
  }
  return parts;
};

/** Spellings the platform stores under one name. */
const STANDARD_MIMETYPES: Readonly<Record<string, string>> = {
  'image/dicom': 'application/dicom',
  'image/x-dicom': 'application/dicom',
  'image/nifti': 'application/nifti',
  'application/x-nifti': 'application/nifti',
  'image/x.nifti': 'application/nifti',
  'application/x-gzip': 'application/gzip',
};

/**
 * The mimetype the platform's current client sends: the detected or given one in its standard
 * spelling; files nothing recognised are `.npy`/`.npz` arrays, gzip, or octet-stream.
 */
export function standardMimetype(mimetype: string | undefined, filename: string): string {
  if (mimetype === undefined || mimetype.trim() === '') {
    const lower = filename.toLowerCase();
    if (lower.endsWith('.npy') || lower.endsWith('.npz')) return 'application/x-numpy-data';
    if (lower.endsWith('.gz')) return 'application/gzip';
    return 'application/octet-stream';
  }
  const clean = mimetype.trim().toLowerCase();
  return STANDARD_MIMETYPES[clean] ?? clean;
}

/** How the `Api` upload names and publishes what it sends. */
export interface PlatformPartsOptions {
  /** Created published (`bypass_inbox=true`): `publish` or `publishTo` was given. */
  bypassInbox: boolean;
  /** Send `source_filepath` made absolute, as the Python SDK does (default: the path as given). */
  absoluteSourcePaths: boolean;
}

function sourcePathOf(unit: PlannedUnit, body: UnitBody, absolute: boolean): string {
  const first = normaliseName(unit.files[0]!.source);
  const given = absolute ? path.resolve(first) : first;
  // An assembled series is named after the series, in the folder of its first slice; a NIfTI pair
  // is the `.nii` it makes, beside its header.
  if (unit.kind !== 'file') return path.join(path.dirname(given), body.filename);
  return given;
}

/**
 * The layout of the platform's current client (Python SDK 2.29): mimetype always (standard
 * spelling), `bypass_inbox` always, DICOM laterality appended to the tags as `left`/`right`,
 * metadata objects serialised as Python does.
 */
export function platformResourceParts(options: PlatformPartsOptions): ResourcePartsBuilder {
  return ({ unit, body, metadata, modality, fields }) => {
    const mimetype = standardMimetype(unit.mimetype, body.filename);
    const parts: MultipartPart[] = [
      { name: 'source', value: 'api' },
      {
        name: 'resource',
        filename: multipartFileName(body.filename),
        contentType: mimetype,
        content: body.content,
        displayName: body.filename,
      },
      { name: 'source_filepath', value: sourcePathOf(unit, body, options.absoluteSourcePaths) },
      { name: 'mimetype', value: mimetype },
    ];
    if (fields.channel !== undefined) parts.push({ name: 'channel', value: fields.channel });
    if (modality !== undefined) parts.push({ name: 'modality', value: modality });
    parts.push({ name: 'bypass_inbox', value: options.bypassInbox ? 'true' : 'false' });
    const tags = unit.laterality ? [...fields.tags, unit.laterality] : fields.tags;
    if (tags.length > 0) parts.push({ name: 'tags', value: tags.join(',') });
    if (metadata !== undefined) {
      const text =
        unit.metadata !== undefined && typeof unit.metadata === 'object'
          ? pythonJsonDumps(unit.metadata as JsonValue)
          : metadata.text;
      parts.push({ name: 'metadata', value: text, contentType: 'application/json' });
    }
    return parts;
  };
}
