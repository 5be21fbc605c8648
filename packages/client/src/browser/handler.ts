import {
  type BackoffPolicy,
  FetchTransport,
  type HttpClient,
  HttpCore,
  type RequestLogEvent,
} from '@datamint/core';
import { DEFAULT_PAGE_SIZE } from '@datamint/core/internal';
import type { CallOptions, HandlerContext } from '../context';
import { ConnectionCheckError, ValidationError } from '../errors';
import { getProjects } from '../projects';
import type { SegmentationInput } from '../segmentations';
import {
  type BrowserUploadInput,
  type CollectedInputs,
  collectBrowserInputs,
} from '../upload/browser-inputs';
import { planUpload } from '../upload/plan';
import type { UploadPlan } from '../upload/plan-types';
import type { SegmentationFiles, UploadResourcesOptions, UploadResult } from '../upload/types';
import { uploadResources } from '../upload/upload-resources';

/** Settings of a browser client: explicit, as a page has no environment or configuration file. */
export interface BrowserAPIHandlerOptions {
  /** API URL, e.g. `https://api.datamint.io` (the server must allow the page's origin: CORS). */
  rootUrl: string;
  /** API key. It is sent in a header, never in a URL, and never appears in errors or logs. */
  apiKey: string;
  /** Per-attempt time-out in ms (default 120 000). */
  timeout?: number;
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** Delays between retries (default 500 ms doubling up to 8 s, with jitter). */
  backoff?: Partial<BackoffPolicy>;
  /** Debug hook: one event per attempt, retry and failure; the key is masked. */
  log?: (event: RequestLogEvent) => void;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** Files uploaded (and segmentation frames sent) at once; default 4 (browsers limit connections per host). */
  concurrency?: number;
  /** Items per listing request; default 5000. */
  pageSize?: number;
  /** Warnings; default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** A mask of an uploaded file: PNG/NIfTI bytes or a `File`/`Blob` of them. */
export type BrowserMask = Uint8Array | Blob;

/** Upload options in the browser: those of Node, minus the ones that name files on disk. */
export interface BrowserUploadOptions
  extends Omit<
    UploadResourcesOptions,
    'journal' | 'sources' | 'segmentationFiles' | 'segmentationsBySource' | 'metadataFiles'
  > {
  /**
   * Masks by the name of the file they belong to (`folder/image.png` for a file of a dropped
   * folder, the file name otherwise): one mask, or several.
   */
  segmentations?: ReadonlyMap<string, BrowserMask | readonly BrowserMask[]>;
  /** Metadata objects by file name, sent as each resource's `metadata`. */
  metadata?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

/** A plan of page inputs, with the inputs it reads from (pass both to {@link BrowserAPIHandler.runPlan}). */
export interface BrowserPlan {
  /** What the upload will do, as plain data (units, skipped files, per-file problems). */
  plan: UploadPlan;
  /** The page's inputs the plan reads from. */
  inputs: CollectedInputs;
}

async function maskBytes(mask: BrowserMask): Promise<SegmentationInput> {
  return mask instanceof Uint8Array ? mask : new Uint8Array(await mask.arrayBuffer());
}

/**
 * Datamint from a web page: plans and uploads `File`s, `Blob`s and dropped folders with the same
 * planner, anonymizer, assembler, retries, idempotency keys and typed errors as `APIHandler` in Node.
 * DICOM is anonymized and assembled in the page, so identifiable data never leaves the machine
 * when `anonymize: true`. Nothing touches a file system.
 */
export class BrowserAPIHandler {
  readonly #http: HttpCore;
  readonly #ctx: HandlerContext;

  /** Validates the settings (a bad URL, a missing key: typed errors); never does I/O. */
  constructor(options: BrowserAPIHandlerOptions) {
    if (!options || typeof options.rootUrl !== 'string' || options.rootUrl === '') {
      throw new ValidationError(
        'rootUrl',
        options?.rootUrl,
        'the API URL (the browser has no configuration file)',
      );
    }
    if (typeof options.apiKey !== 'string' || options.apiKey === '') {
      throw new ValidationError('apiKey', '***', 'an API key (the browser has no configuration file)');
    }
    const concurrency = options.concurrency ?? 4;
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ValidationError('concurrency', options.concurrency, 'an integer >= 1');
    }
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new ValidationError('pageSize', options.pageSize, 'an integer >= 1');
    }
    const { fetch: fetchImpl, concurrency: _c, pageSize: _p, onWarning, ...settings } = options;
    this.#http = new HttpCore(settings, new FetchTransport(fetchImpl));
    const warn = onWarning ?? ((message: string) => console.warn(message));
    this.#ctx = {
      // The upload path only sends requests and reads whole answers (request/requestBytes), which
      // HttpCore has; streaming downloads to files are Node's and never reached from here.
      http: this.#http as HttpClient,
      pageSize,
      concurrency,
      warn,
    };
  }

  /** The API URL, without trailing slash. */
  get rootUrl(): string {
    return this.#http.rootUrl;
  }

  /** GET /projects; a failure becomes `ConnectionCheckError` with the typed error as `cause`. */
  async checkConnection(options?: CallOptions): Promise<void> {
    try {
      await getProjects(this.#ctx, options);
    } catch (error) {
      throw new ConnectionCheckError(error);
    }
  }

  /**
   * What an upload of these inputs will do, as plain data: units (a DICOM series assembled into
   * one), skipped system files, and per-file problems (a file the browser cannot read, a broken DICOM).
   */
  async planUpload(
    files: BrowserUploadInput | readonly BrowserUploadInput[],
    options: BrowserUploadOptions = {},
  ): Promise<BrowserPlan> {
    const list: readonly BrowserUploadInput[] = Array.isArray(files) ? files : [files as BrowserUploadInput];
    const inputs = await collectBrowserInputs(list, options.signal, {
      includeExtensions: options.includeExtensions,
      excludeExtensions: options.excludeExtensions,
      excludeDirs: options.excludeDirs,
      minSize: options.minSize,
      recursive: options.recursive,
    });
    const plan = await planUpload(inputs.uploads, await this.#planOptions(inputs, options));
    // Files the page could not read fail alone, after the readable ones (as unreadable paths in Node).
    const offset = plan.units.reduce((n, u) => n + u.files.length, 0) + plan.problems.length;
    const problems = inputs.problems.map((p, i) => ({ ...p, position: offset + i }));
    // Left out while walking, so listed before what planning left out (as Node's walker does).
    const skipped = [...inputs.skipped, ...plan.skipped];
    return { plan: { ...plan, problems: [...plan.problems, ...problems], skipped }, inputs };
  }

  /** Runs a plan made by {@link planUpload}: one result per file, in input order. */
  async runPlan(planned: BrowserPlan, options: BrowserUploadOptions = {}): Promise<UploadResult[]> {
    const { segmentations: _s, metadata: _m, ...rest } = options;
    return uploadResources(this.#ctx, planned.plan, { ...rest, sources: planned.inputs.uploads });
  }

  /**
   * Plans and uploads `File`s, `Blob`s (as `{ name, data }`) and dropped files or folders
   * (`FileSystemEntry`). `onProgress` reports each finished file, `onBytes` the bytes read into
   * requests (a browser sends a request body whole, so a file's bytes count when its request starts).
   */
  async uploadResources(
    files: BrowserUploadInput | readonly BrowserUploadInput[],
    options: BrowserUploadOptions = {},
  ): Promise<UploadResult[]> {
    return this.runPlan(await this.planUpload(files, options), options);
  }

  /** Nothing to release (the browser owns the connections); present for symmetry with `APIHandler`. */
  async close(): Promise<void> {
    await this.#http.close();
  }

  async #planOptions(
    inputs: CollectedInputs,
    options: BrowserUploadOptions,
  ): Promise<UploadResourcesOptions> {
    const { segmentations, metadata, ...rest } = options;
    const names = inputs.uploads.map((u) => u.name);
    for (const [label, map] of [
      ['segmentations', segmentations],
      ['metadata', metadata],
    ] as const) {
      for (const key of map?.keys() ?? []) {
        if (!names.includes(key))
          throw new ValidationError(
            `${label}`,
            key,
            `the name of an input file (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`,
          );
      }
    }
    const segmentationFiles: (SegmentationFiles | null)[] = [];
    for (const name of names) {
      const masks = segmentations?.get(name);
      if (masks === undefined) segmentationFiles.push(null);
      else if (Array.isArray(masks)) segmentationFiles.push(await Promise.all(masks.map(maskBytes)));
      else segmentationFiles.push(await maskBytes(masks as BrowserMask));
    }
    return {
      ...rest,
      concurrency: options.concurrency ?? this.#ctx.concurrency,
      ...(segmentations ? { segmentationFiles } : {}),
      ...(metadata ? { metadataFiles: names.map((n) => metadata.get(n) ?? null) } : {}),
    };
  }
}
