import { DEFAULT_EXCLUDED_EXTENSIONS } from '@datamint/client';
import { UsageError } from '../errors';
import {
  parseDepth,
  parseExtensionList,
  parseMungFilename,
  parsePositiveInt,
  parseRetainAttribute,
} from './upload-options';

/** The options of `datamint upload` as commander hands them over. */
export interface RawUploadOptions {
  path?: string[];
  recursive?: boolean;
  depth?: string;
  exclude?: string[];
  channel?: string;
  name?: string;
  tag?: string[];
  label?: string[];
  publish?: boolean;
  publishTo?: string;
  retainPii?: boolean;
  retainAttribute?: string[];
  anonymizationProfile?: string;
  mungfilename?: string;
  includeExtensions?: string[];
  excludeExtensions?: string[];
  allExtensions?: boolean;
  segmentationPath?: string;
  segmentation_path?: string;
  segmentationNames?: string;
  segmentation_names?: string;
  transposeSegmentation?: boolean;
  autoDetectJson?: boolean;
  modality?: string;
  assemble?: boolean;
  concurrency?: string;
  dryRun?: boolean;
  yes?: boolean;
  check?: boolean;
  resume?: boolean;
  project?: string;
  assembleDicoms?: boolean;
  compress?: boolean;
  includeDicomReports?: boolean;
}

/** Everything `datamint upload` was asked to do, validated. */
export interface UploadRequest {
  paths: string[];
  depth: number;
  excludeDirs: string[];
  channel: string | undefined;
  tags: string[];
  publish: boolean;
  publishTo: string | undefined;
  anonymize: boolean;
  retainAttributes: number[];
  anonymizationProfile: 'basic' | 'datamint-sdk';
  mungFilename: 'all' | number[] | undefined;
  includeExtensions: string[] | undefined;
  excludeExtensions: string[] | undefined;
  /**
   * `excludeExtensions` is the Python tool's default list (no extension flag was given), so files it
   * leaves out are worth a word: they were not asked to be left out.
   */
  defaultExclusions: boolean;
  segmentationPath: string | undefined;
  segmentationNamesFile: string | undefined;
  transposeSegmentation: boolean;
  autoDetectJson: boolean;
  modality: string | undefined;
  assemble: boolean;
  concurrency: number;
  dryRun: boolean;
  yes: boolean;
  /** Check the connection and key once before planning (`--no-check` skips it). */
  check: boolean;
  /** Continue the journal of an interrupted run of the same command. */
  resume: boolean;
  /** Assembled series are sent JPEG-LS lossless (`--compress`). */
  compress: boolean;
  /**
   * Leave out DICOM reports, key objects and presentation states (Modality SR, DOC, KO, PR, ESR), as
   * the platform's current client does; `--include-dicom-reports` keeps them.
   */
  discardDicomReports: boolean;
}

/** Checks the flags together; every mistake is a {@link UsageError} (exit code 2). */
export function validateUploadOptions(paths: string[], raw: RawUploadOptions): UploadRequest {
  if (raw.tag?.length && raw.label?.length) {
    throw new UsageError('use --tag (or its deprecated synonym --label), not both', '--label');
  }
  if (raw.retainPii && raw.retainAttribute?.length) {
    throw new UsageError(
      '--retain-attribute has no effect with --retain-pii: use one of them',
      '--retain-attribute',
    );
  }
  if (raw.includeExtensions?.length && raw.excludeExtensions?.length) {
    throw new UsageError('--include-extensions and --exclude-extensions cannot be used together');
  }
  if (raw.allExtensions && (raw.includeExtensions?.length || raw.excludeExtensions?.length)) {
    throw new UsageError(
      `--all-extensions takes every extension: drop ${raw.includeExtensions?.length ? '--include-extensions' : '--exclude-extensions'}`,
      '--all-extensions',
    );
  }
  // Python's tool leaves documents, scripts and the like out unless an extension flag says otherwise.
  const defaultExclusions =
    !raw.allExtensions && !raw.includeExtensions?.length && !raw.excludeExtensions?.length;
  if (raw.channel !== undefined && raw.name !== undefined && raw.channel !== raw.name) {
    throw new UsageError('--name is a synonym of --channel: give only one', '--name');
  }
  const segmentationPath = raw.segmentationPath ?? raw.segmentation_path;
  const segmentationNamesFile = raw.segmentationNames ?? raw.segmentation_names;
  const profile = raw.anonymizationProfile ?? 'basic';
  if (profile !== 'basic' && profile !== 'datamint-sdk') {
    throw new UsageError(
      `--anonymization-profile ${JSON.stringify(profile)}: expected basic (PS3.15 Basic Profile) or datamint-sdk (the Python SDK's list)`,
      '--anonymization-profile',
    );
  }
  if (raw.retainPii && raw.anonymizationProfile !== undefined) {
    throw new UsageError(
      '--anonymization-profile has no effect with --retain-pii',
      '--anonymization-profile',
    );
  }
  if (raw.project !== undefined && raw.publishTo !== undefined && raw.project !== raw.publishTo) {
    throw new UsageError('--project is a synonym of --publish-to: give only one', '--project');
  }
  if (raw.resume && raw.dryRun) {
    throw new UsageError(
      '--resume continues an upload; --dry-run uploads nothing: use one of them',
      '--resume',
    );
  }
  if (segmentationNamesFile && !segmentationPath) {
    throw new UsageError('--segmentation-names needs --segmentation-path', '--segmentation-names');
  }
  const tags = (raw.tag ?? raw.label ?? [])
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  const depth =
    raw.depth !== undefined ? parseDepth(raw.depth) : raw.recursive ? Number.POSITIVE_INFINITY : 0;
  return {
    paths,
    depth,
    excludeDirs: raw.exclude ?? [],
    channel: raw.channel ?? raw.name,
    tags: [...new Set(tags)],
    publish: raw.publish === true || (raw.publishTo ?? raw.project) !== undefined,
    publishTo: raw.publishTo ?? raw.project,
    anonymize: raw.retainPii !== true,
    retainAttributes: (raw.retainAttribute ?? []).map(parseRetainAttribute),
    anonymizationProfile: profile,
    mungFilename: raw.mungfilename === undefined ? undefined : parseMungFilename(raw.mungfilename),
    includeExtensions: raw.includeExtensions
      ? parseExtensionList(raw.includeExtensions, '--include-extensions')
      : undefined,
    excludeExtensions: raw.excludeExtensions
      ? parseExtensionList(raw.excludeExtensions, '--exclude-extensions')
      : defaultExclusions
        ? [...DEFAULT_EXCLUDED_EXTENSIONS]
        : undefined,
    defaultExclusions,
    segmentationPath,
    segmentationNamesFile,
    transposeSegmentation: raw.transposeSegmentation === true,
    autoDetectJson: raw.autoDetectJson !== false,
    modality: raw.modality,
    assemble: raw.assemble !== false && raw.assembleDicoms !== false,
    concurrency: raw.concurrency === undefined ? 10 : parsePositiveInt(raw.concurrency, '--concurrency', 64),
    dryRun: raw.dryRun === true,
    yes: raw.yes === true,
    check: raw.check !== false,
    resume: raw.resume === true,
    compress: raw.compress === true,
    discardDicomReports: raw.includeDicomReports !== true,
  };
}
