import { ValidationError } from '../errors';
import type { UploadResourcesOptions } from './types';

/** The sending options, checked before anything is read or sent. */
export interface SendSettings {
  onError: 'raise' | 'skip';
  concurrency: number;
  tags: string[];
  /** Text fields sent with every resource. */
  fields: { channel?: string; modality?: string; tags: string[] };
}

function checkTags(options: UploadResourcesOptions, warn: (m: string) => void): string[] {
  let tags = options.tags;
  if (options.labels !== undefined) {
    warn('uploadResources: the "labels" option is deprecated, use "tags"');
    tags ??= options.labels;
  }
  if (tags === undefined) return [];
  const list = typeof tags === 'string' ? [tags] : [...tags];
  return list.map((tag, i) => {
    if (typeof tag !== 'string' || tag.trim() === '')
      throw new ValidationError(`tags[${i}]`, tag, 'a non-empty string');
    // Tags travel comma-joined in one field: a comma would split the tag.
    if (tag.includes(',')) throw new ValidationError(`tags[${i}]`, tag, 'a tag without commas');
    return tag.trim();
  });
}

/** Validates the options of the sending stages (planning validates its own). */
export function sendSettings(
  options: UploadResourcesOptions,
  defaultConcurrency: number,
  warn: (m: string) => void,
): SendSettings {
  const onError = options.onError ?? 'raise';
  if (onError !== 'raise' && onError !== 'skip') {
    throw new ValidationError('onError', options.onError, '"raise" or "skip"');
  }
  const concurrency = options.concurrency ?? defaultConcurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ValidationError('concurrency', options.concurrency, 'an integer >= 1');
  }
  for (const field of ['channel', 'modality', 'publishTo', 'journal'] as const) {
    const v = options[field];
    if (v !== undefined && (typeof v !== 'string' || v === ''))
      throw new ValidationError(field, v, 'a non-empty string');
  }
  const tags = checkTags(options, warn);
  return {
    onError,
    concurrency,
    tags,
    fields: {
      ...(options.channel !== undefined ? { channel: options.channel } : {}),
      ...(options.modality !== undefined ? { modality: options.modality } : {}),
      tags,
    },
  };
}
