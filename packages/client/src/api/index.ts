export type { AnnotationMetadata } from './annotation-images';
export type {
  ColourMaskArray,
  FrameSegmentationInput,
  UploadFrameSegmentationsOptions,
  UploadVolumeSegmentationOptions,
  VolumeArray,
} from './annotation-segmentations';
export {
  type AnnotationFileDownload,
  type AnnotationListOptions,
  type AnnotationProvenance,
  type AnnotationRef,
  AnnotationsApi,
  type GeometryAnnotationOptions,
  type NewAnnotation,
  type ResourceIdRef,
} from './annotations';
export { Api, type ApiOptions } from './api';
export {
  type DatasetDownloadFormat,
  type DatasetRef,
  DatasetsApi,
  type UpdateDatasetResources,
} from './datasets';
export {
  AnnotationEntity,
  type AnnotationLinks,
  BoxAnnotation,
  type GeometryFromPointsOptions,
  LineAnnotation,
  SegmentationAnnotation,
} from './entities/annotation';
export { ChannelEntity, type ChannelResourceData } from './entities/channel';
export { DatasetEntity, type DatasetLinks } from './entities/dataset';
export {
  type ProjectAnnotator,
  ProjectEntity,
  type ProjectLinks,
  ProjectSplitEntity,
} from './entities/project';
export {
  type FetchFileDataOptions,
  ResourceEntity,
  type ResourceKind,
  resourceKind,
} from './entities/resource';
export { UserEntity } from './entities/user';
export { type WorklistAnnotationSpec, type WorklistAnnotator, WorklistEntity } from './entities/worklist';
export {
  DetachedEntityError,
  Entity,
  type EntityData,
  type EntityRefetch,
  LinkedEntity,
} from './entity';
export type { EntityIdRef } from './ids';
export {
  type AnnotationStatusFilter,
  type CreateProjectOptions as CreateApiProjectOptions,
  DefaultProjectNotSetError,
  type DownloadProjectAnnotationsOptions,
  EntityAlreadyExistsError,
  type ProjectRef,
  ProjectsApi,
  type ReviewMessageFilter,
  type WorkStatus,
} from './projects';
export type { AnnotationExportFilter, FileWritten, StreamToFileOptions } from './requests';
export {
  defaultCacheDir,
  ResourceCache,
  type ResourceCacheOptions,
  type ResourceVersion,
} from './resource-cache';
export type { ApiUploadOptions, ApiUploadResult, SkippedUploadResult } from './resource-upload';
export {
  BULK_DELETE_BATCH,
  type CachedResource,
  type DownloadedFile,
  type DownloadMultipleOptions,
  type DownloadMultipleResult,
  type FailedDownload,
  type ResourceListOptions,
  type ResourceRef,
  ResourcesApi,
} from './resources';
export { type CreateApiUserOptions, type InviteUserOptions, UsersApi } from './users';
export { webAppUrl } from './web-app';
export {
  AnnotationWorklistsApi,
  type CreateWorklistOptions,
  type DownloadWorklistAnnotationsOptions,
  type SegmentationDefinition,
  type WorklistAnnotationStatus,
  type WorklistFileInput,
  type WorklistRef,
} from './worklists';
