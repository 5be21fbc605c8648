import { createHash, randomUUID } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { pythonJsonDumps } from '@datamint/core/internal';
import { makeDirectory } from '@datamint/core/internal/node';
import { ValidationError } from '../errors';

/** Where the local download cache lives; shared with the Python SDK, which uses the same layout. */
export interface ResourceCacheOptions {
  /** The cache root (default `~/.datamint`, the Python SDK's). Files go under `<root>/resources/<id>/`. */
  cacheDir?: string;
}

/** What decides whether a cached file is still the server's: it changes when the resource does. */
export interface ResourceVersion {
  /** The resource. */
  readonly id: string;
  /** Its `created_at`. */
  readonly createdAt: string;
  /** Its `deleted_at` (`null` when not deleted). */
  readonly deletedAt: string | null;
  /** Its `size`. */
  readonly size: number;
}

/** The Python SDK's key for a resource's file (`<root>/resources/<id>/image_data`). */
const DATA_KEY = 'image_data';

/** The default root: the Python SDK's `~/.datamint`. */
export function defaultCacheDir(): string {
  return path.join(homedir(), '.datamint');
}

function entityDir(root: string, id: string): string {
  // Ids are UUIDs by the time they get here; anything else must not become a path.
  if (!/^[0-9a-zA-Z-]+$/.test(id)) throw new ValidationError('resource id', id, 'a resource id');
  return path.join(root, 'resources', id);
}

/**
 * The version fields as the Python SDK hashes them: its `json.dumps(..., sort_keys=True)` of
 * `{created_at, deleted_at, size}` (keys already in sorted order here), then SHA-256.
 */
export function versionInfo(version: ResourceVersion): {
  created_at: string;
  deleted_at: string | null;
  size: number;
} {
  return { created_at: version.createdAt, deleted_at: version.deletedAt, size: version.size };
}

/** The hash stored next to a cached file; a different hash means the file is stale. */
export function versionHash(version: ResourceVersion): string {
  return createHash('sha256')
    .update(pythonJsonDumps(versionInfo(version)), 'utf8')
    .digest('hex');
}

interface CacheMetadata {
  data_path?: unknown;
  data_type?: unknown;
  mimetype?: unknown;
  version_hash?: unknown;
}

/** Python's `datetime.now().isoformat()` shape (local time, microseconds, no zone). */
function localIsoNow(): string {
  const now = new Date();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T` +
    `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}000`
  );
}

/**
 * A version-checked directory of downloaded resource files, laid out as the Python SDK's cache
 * (`<root>/resources/<id>/metadata.json` naming the data file and the version hash), so files
 * downloaded by either tool are reused by the other.
 */
export class ResourceCache {
  /** The absolute cache root; files are under `<root>/resources/<id>/`. */
  readonly root: string;

  /** A cache rooted at `options.cacheDir` (default `~/.datamint`). */
  constructor(options: ResourceCacheOptions = {}) {
    const dir = options.cacheDir ?? defaultCacheDir();
    if (typeof dir !== 'string' || dir === '') throw new ValidationError('cacheDir', dir, 'a directory path');
    this.root = path.resolve(dir);
  }

  /** Where this resource's file is cached (whether or not it is). */
  dataPath(id: string): string {
    return path.join(entityDir(this.root, id), DATA_KEY);
  }

  /**
   * The cached file's path when it exists and matches this version; `undefined` otherwise (a
   * missing, unreadable or stale entry, or one the Python SDK stored as a pickled object).
   */
  async lookup(version: ResourceVersion): Promise<string | undefined> {
    let meta: CacheMetadata;
    try {
      meta = JSON.parse(await readFile(path.join(entityDir(this.root, version.id), 'metadata.json'), 'utf8'));
    } catch {
      return undefined;
    }
    if (meta.version_hash !== versionHash(version)) return undefined;
    if (meta.mimetype !== 'application/octet-stream' || typeof meta.data_path !== 'string') return undefined;
    try {
      return (await stat(meta.data_path)).isFile() ? meta.data_path : undefined;
    } catch {
      return undefined;
    }
  }

  /** The cached bytes of this version, or `undefined`. */
  async read(version: ResourceVersion): Promise<Uint8Array | undefined> {
    const file = await this.lookup(version);
    if (file === undefined) return undefined;
    try {
      return new Uint8Array(await readFile(file));
    } catch {
      return undefined;
    }
  }

  /**
   * Stores a file for this version: `write` fills the temporary path given to it; the data file
   * and then the metadata are renamed into place, so a reader never sees a half-written entry.
   */
  async store(version: ResourceVersion, write: (tempPath: string) => Promise<void>): Promise<string> {
    const dir = entityDir(this.root, version.id);
    await makeDirectory(dir);
    const data = path.join(dir, DATA_KEY);
    const tmp = `${data}.${randomUUID()}.tmp`;
    try {
      await write(tmp);
      await rename(tmp, data);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    const metadata = {
      cached_at: localIsoNow(),
      data_path: data,
      data_type: 'bytes',
      mimetype: 'application/octet-stream',
      version_hash: versionHash(version),
      version_info: versionInfo(version),
      entity_id: version.id,
      extra_info: null,
    };
    const metaTmp = path.join(dir, `metadata.json.${randomUUID()}.tmp`);
    await writeFile(metaTmp, JSON.stringify(metadata, null, 2));
    await rename(metaTmp, path.join(dir, 'metadata.json'));
    return data;
  }

  /** Forgets a resource's cached file. */
  async invalidate(id: string): Promise<void> {
    await rm(entityDir(this.root, id), { recursive: true, force: true });
  }
}
