export { Paginated } from '@datamint/core';
export type {
  AddAnnotationsOptions,
  AnnotationTargetOptions,
  FrameSelection,
  GetAnnotationsOptions,
  GetWorklistsOptions,
  UpdateWorklistOptions,
} from './annotations';
export type { ResourceLinks } from './api/entities/resource';
export {
  AnnotationEntity,
  type AnnotationExportFilter,
  type AnnotationFileDownload,
  type AnnotationLinks,
  type AnnotationListOptions,
  type AnnotationMetadata,
  type AnnotationProvenance,
  type AnnotationRef,
  type AnnotationStatusFilter,
  AnnotationsApi,
  AnnotationWorklistsApi,
  Api,
  type ApiOptions,
  type ApiUploadOptions,
  type ApiUploadResult,
  BoxAnnotation,
  BULK_DELETE_BATCH,
  type CachedResource,
  ChannelEntity,
  type ChannelResourceData,
  type ColourMaskArray,
  type CreateApiProjectOptions,
  type CreateApiUserOptions,
  type CreateWorklistOptions,
  type DatasetDownloadFormat,
  DatasetEntity,
  type DatasetLinks,
  type DatasetRef,
  DatasetsApi,
  DefaultProjectNotSetError,
  DetachedEntityError,
  type DownloadedFile,
  type DownloadMultipleOptions,
  type DownloadMultipleResult,
  type DownloadProjectAnnotationsOptions,
  type DownloadWorklistAnnotationsOptions,
  defaultCacheDir,
  Entity,
  EntityAlreadyExistsError,
  type EntityData,
  type EntityIdRef,
  type EntityRefetch,
  type FailedDownload,
  type FetchFileDataOptions,
  type FileWritten,
  type FrameSegmentationInput,
  type GeometryAnnotationOptions,
  type GeometryFromPointsOptions,
  type InviteUserOptions,
  LineAnnotation,
  LinkedEntity,
  type NewAnnotation,
  type ProjectAnnotator,
  ProjectEntity,
  type ProjectLinks,
  type ProjectRef,
  ProjectSplitEntity,
  ProjectsApi,
  ResourceCache,
  type ResourceCacheOptions,
  ResourceEntity,
  type ResourceIdRef,
  type ResourceKind,
  type ResourceListOptions,
  type ResourceRef,
  ResourcesApi,
  type ResourceVersion,
  type ReviewMessageFilter,
  resourceKind,
  SegmentationAnnotation,
  type SegmentationDefinition,
  type SkippedUploadResult,
  type StreamToFileOptions,
  type UpdateDatasetResources,
  type UploadFrameSegmentationsOptions,
  type UploadVolumeSegmentationOptions,
  UserEntity,
  UsersApi,
  type VolumeArray,
  type WorklistAnnotationSpec,
  type WorklistAnnotationStatus,
  type WorklistAnnotator,
  WorklistEntity,
  type WorklistFileInput,
  type WorklistRef,
  type WorkStatus,
  webAppUrl,
} from './api/index';
export { APIHandler, type APIHandlerOptions, ConnectionCheckError } from './api-handler';
export * from './browser/exports';
export type { CallOptions, ListOptions } from './context';
export * from './core-errors';
export type { Converted, DecodedImage, NiftiData, NiftiVolume } from './decode';
export type {
  DownloadedFrame,
  DownloadedResource,
  DownloadProjectOptions,
  DownloadResourceOptions,
} from './download';
export { DecodeError, UnexpectedResponseError, UploadFileError, ValidationError } from './errors';
export { downloadFileName } from './file-types';
export type { AddGeometryAnnotationOptions, AddLineAnnotationOptions } from './geometry-annotations';
export type { CreateProjectOptions, CreateUserOptions } from './projects';
export type { GetResourcesOptions, PublishOptions } from './resources';
export {
  type MaskArray,
  SegmentationError,
  type SegmentationInput,
  type UploadSegmentationsOptions,
} from './segmentations';
export type {
  Annotation,
  AnnotationStatus,
  AnnotationType,
  Channel,
  ChannelResource,
  Dataset,
  Experiment,
  Project,
  Resource,
  ResourceFields,
  ResourceStatus,
  User,
  Worklist,
  WorklistStatus,
} from './types';
export type { MungFilename } from './upload/filename';
export type { NamedUpload, UploadSource } from './upload/inputs';
export { JournalError } from './upload/journal';
export { ContentReadError, ContentSizeError } from './upload/multipart-body';
export { planUpload } from './upload/plan';
export type { SegmentationTask } from './upload/segmentation-tasks';
export { isSystemFile } from './upload/system-files';
export type {
  MetadataSource,
  PlanUploadOptions,
  RetainTag,
  SegmentationFiles,
  UploadBytesProgress,
  UploadProgress,
  UploadResourcesOptions,
  UploadResult,
} from './upload/types';
