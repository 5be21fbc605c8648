import type { CallOptions } from '../../context';
import type { ResourceStatus } from '../../types';
import { type EntityRefetch, LinkedEntity } from '../entity';
import { ResourceCache, type ResourceCacheOptions } from '../resource-cache';
import type { CachedResource } from '../resources';
import { webAppUrl } from '../web-app';
import type { AnnotationEntity } from './annotation';

/** Options of `resource.fetchFileData`. */
export interface FetchFileDataOptions extends CallOptions, ResourceCacheOptions {
  /**
   * Read the file from the local cache when it holds this version of the resource (same
   * `created_at`, `deleted_at` and `size`), and store it there after a download (default false).
   */
  useCache?: boolean;
}

/** What a `ResourceEntity` asks of the resources group (kept small so entities stay plain data + links). */
export interface ResourceLinks extends EntityRefetch {
  /** The API URL the resource came from, without trailing slash. */
  readonly rootUrl: string;
  /** The resource's stored file, through the cache when asked. */
  fileBytes(resource: ResourceEntity, options?: FetchFileDataOptions): Promise<Uint8Array>;
  /** The resource's annotations. */
  annotationsOf(resourceId: string, options?: CallOptions): Promise<AnnotationEntity[]>;
  /** `api.resources.cacheResources`. */
  cache(
    resources: readonly ResourceEntity[],
    options?: CallOptions & ResourceCacheOptions,
  ): Promise<CachedResource[]>;
}

const DICOM_STORAGES = new Set(['DicomResource', 'DicomResourceHandler']);
const NIFTI_STORAGES = new Set(['NiftiResource', 'NiftiResourceHandler']);
const IMAGE_STORAGES = new Set(['ImageResource', 'ImageResourceHandler']);
const NIFTI_MIMETYPES = new Set(['application/x-nifti', 'application/nifti', 'image/nifti', 'image/x-nifti']);

/** The kind of a resource, decided as the platform's SDK does: storage class first, then mimetype, then name. */
export type ResourceKind = 'dicom' | 'nifti' | 'volume' | 'video' | 'image' | 'other';

/** Decides the kind of a resource from its stored fields (storage, mimetype, filename), in that priority. */
export function resourceKind(storage: string, mimetype: string | null, filename: string): ResourceKind {
  const mime = (mimetype ?? '').toLowerCase();
  const name = filename.toLowerCase();
  if (DICOM_STORAGES.has(storage) || mime === 'application/dicom' || mime === 'application/x-dicom')
    return 'dicom';
  if (name.endsWith('.dcm') || name.endsWith('.dicom')) return 'dicom';
  if (
    NIFTI_STORAGES.has(storage) ||
    NIFTI_MIMETYPES.has(mime) ||
    name.endsWith('.nii') ||
    name.endsWith('.nii.gz')
  )
    return 'nifti';
  if (storage === 'VolumeResource' || storage === 'VolumeResourceHandler') return 'volume';
  if (storage === 'VideoResource' || storage === 'VideoResourceHandler' || mime.startsWith('video/'))
    return 'video';
  if (IMAGE_STORAGES.has(storage) || mime.startsWith('image/')) return 'image';
  return 'other';
}

/**
 * A stored file (DICOM, image, NIfTI, video...) as the platform lists it. Unknown fields are kept
 * (`get`, `toJSON`).
 */
export class ResourceEntity extends LinkedEntity<ResourceLinks> {
  /**
   * Builds a resource from the server's JSON; missing required fields are an `UnexpectedResponseError`.
   * Without `links` (built from bare JSON) only the methods that need the server throw (`DetachedEntityError`).
   */
  constructor(data: unknown, links?: ResourceLinks) {
    super(
      data,
      'a resource',
      [
        'id',
        'resource_uri',
        'storage',
        'location',
        'upload_channel',
        'filename',
        'mimetype',
        'size',
        'customer_id',
        'status',
        'created_at',
        'created_by',
        'published',
        'deleted',
      ],
      'ResourceEntity',
      links,
    );
  }

  /** The server's `id` field. */
  get id(): string {
    return this.string('id');
  }
  /** The server's `filename` field. */
  get filename(): string {
    return this.string('filename');
  }
  /** The server's `mimetype` field. */
  get mimetype(): string | null {
    return this.optionalString('mimetype');
  }
  /** The server's `storage` field. */
  get storage(): string {
    return this.string('storage');
  }
  /** The server's `status` field. */
  get status(): ResourceStatus {
    return this.string('status') as ResourceStatus;
  }
  /** The server's `size` field. */
  get size(): number {
    return Number(this.get('size'));
  }
  /** The server's `modality` field. */
  get modality(): string | null {
    return this.optionalString('modality');
  }
  /** The server's `upload_channel` field. */
  get uploadChannel(): string {
    return this.string('upload_channel');
  }
  /** The server's `source_filepath` field. */
  get sourceFilepath(): string | null {
    return this.optionalString('source_filepath');
  }
  /** The server's `created_at` field. */
  get createdAt(): string {
    return this.string('created_at');
  }
  /** The server's `created_by` field. */
  get createdBy(): string {
    return this.string('created_by');
  }
  /** The server's `published` field. */
  get published(): boolean {
    return this.get('published') === true;
  }
  /** The server's `deleted` field. */
  get deleted(): boolean {
    return this.get('deleted') === true;
  }
  /** Tags (empty when the server sent none or `null`). */
  get tags(): string[] {
    const tags = this.get('tags');
    return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
  }
  /** The `metadata` object (empty when absent). */
  get metadata(): Record<string, unknown> {
    const metadata = this.get('metadata');
    return metadata && typeof metadata === 'object' ? { ...(metadata as Record<string, unknown>) } : {};
  }

  /** DICOM, NIfTI, image, video... (see {@link resourceKind}). */
  get kind(): ResourceKind {
    return resourceKind(this.storage, this.mimetype, this.filename);
  }
  /** True when this is DICOM. */
  isDicom(): boolean {
    return this.kind === 'dicom';
  }
  /** True when this is NIfTI. */
  isNifti(): boolean {
    return this.kind === 'nifti';
  }
  /** True when this is a plain image. */
  isImage(): boolean {
    return this.kind === 'image';
  }
  /** True when this is a video. */
  isVideo(): boolean {
    return this.kind === 'video';
  }

  /** The server's `deleted_at` field (`null` when absent). */
  get deletedAt(): string | null {
    return this.optionalString('deleted_at');
  }
  /** The server's `published_on` field. */
  get publishedOn(): string | null {
    return this.optionalString('published_on');
  }
  /** The server's `published_by` field. */
  get publishedBy(): string | null {
    return this.optionalString('published_by');
  }
  /** The server's `instance_uid` field (DICOM SOPInstanceUID). */
  get instanceUid(): string | null {
    return this.optionalString('instance_uid');
  }
  /** The server's `series_uid` field. */
  get seriesUid(): string | null {
    return this.optionalString('series_uid');
  }
  /** The server's `study_uid` field. */
  get studyUid(): string | null {
    return this.optionalString('study_uid');
  }
  /** The server's `patient_id` field. */
  get patientId(): string | null {
    return this.optionalString('patient_id');
  }
  /** The server's `upload_mechanism` field. */
  get uploadMechanism(): string | null {
    return this.optionalString('upload_mechanism');
  }

  /**
   * The page of this resource in the Datamint web app, derived from the API URL as the platform's
   * client does (`http://localhost…` → `http://localhost:3000`, the staging API → the staging app,
   * anything else → `https://app.datamint.io`).
   */
  get url(): string {
    return `${webAppUrl(this.links('url').rootUrl)}/resource/${this.id}`;
  }

  /** Who uploaded it (`user_info`), fetched when the listing that built this object left it out. */
  async fetchUserInfo(options?: CallOptions): Promise<Record<string, unknown> | null> {
    const info = await this.fetchField('user_info', options);
    return info && typeof info === 'object' ? { ...(info as Record<string, unknown>) } : null;
  }

  /**
   * The stored file's bytes (`GET /resources/{id}/file`). With `useCache`, a copy in the local
   * cache (`~/.datamint`, or `cacheDir`) is used when it matches this version of the resource,
   * and a download is stored there (Node only).
   */
  fetchFileData(options?: FetchFileDataOptions): Promise<Uint8Array> {
    return this.links('fetchFileData').fileBytes(this, options);
  }

  /** Removes this resource's entry from the local cache (`~/.datamint`, or `cacheDir`). */
  invalidateCache(options: ResourceCacheOptions = {}): Promise<void> {
    return new ResourceCache(options).invalidate(this.id);
  }

  /** This resource's annotations (human and AI), through the annotation search. */
  fetchAnnotations(options?: CallOptions): Promise<AnnotationEntity[]> {
    return this.links('fetchAnnotations').annotationsOf(this.id, options);
  }
}
