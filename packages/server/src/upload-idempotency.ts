import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { sameFileBytes } from '@datamint/core/internal/node';
import type { Db } from './db/open-database';
import { forgetKey, type KeyScope, keyReusedError, type RecordedKey, recordedKey } from './idempotency';

/**
 * Upload fingerprints leave the file's bytes out: hashing every keyed upload as it streamed in was a
 * large part of the server's CPU per upload, all for the rare repeat. A repeat is instead compared
 * byte for byte with the file its key stored (resources keep the uploaded bytes unchanged). Keys
 * recorded by earlier versions carry a SHA-256 of the bytes and no prefix; they are still honoured.
 */
const WITHOUT_BYTES = 'name-size-fields:';

/** What identifies one upload besides its bytes, and where those bytes are now. */
export interface KeyedUpload {
  /** The upload's file: its temp file, or where it was stored. */
  path: string;
  size: number;
  filename: string;
  fields: ReadonlyMap<string, unknown>;
}

/** A key's scope for uploads, with where the file of a live entity is stored. */
export interface UploadKeyScope extends KeyScope {
  /** Where the file of the entity is stored, or undefined when the entity was deleted. */
  storedFile: (entityId: string) => string | undefined;
}

function hashNameAndFields(hash: Hash, filename: string, fields: ReadonlyMap<string, unknown>): Hash {
  hash.update(`\0${filename}`);
  for (const name of [...fields.keys()].sort()) hash.update(`\0${name}=${JSON.stringify(fields.get(name))}`);
  return hash;
}

/** The fingerprint recorded for a keyed upload: its size, name and text fields in name order. */
export function uploadFingerprint(upload: Omit<KeyedUpload, 'path'>): string {
  const hash = createHash('sha256').update(String(upload.size));
  return WITHOUT_BYTES + hashNameAndFields(hash, upload.filename, upload.fields).digest('hex');
}

/** The fingerprint earlier versions recorded: SHA-256 of the bytes, then the name, then the fields. */
export async function bytesFingerprint(upload: KeyedUpload): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(upload.path)) hash.update(chunk as Buffer);
  return hashNameAndFields(hash, upload.filename, upload.fields).digest('hex');
}

/** The live resource recorded under a key, with where its file is stored. */
export interface RecordedUpload extends RecordedKey {
  storedPath: string;
}

/**
 * The resource an earlier upload recorded under this key, if it is still there; a key whose resource
 * was deleted since is forgotten, so the upload creates afresh. A key reused for another name, size
 * or field is refused first (422), deleted resource or not, as keys of JSON requests are; only the
 * bytes are left to {@link assertRepeat}. Synchronous: safe inside the transaction that records a
 * new key.
 */
export function recordedUpload(db: Db, scope: UploadKeyScope): RecordedUpload | undefined {
  const recorded = recordedKey(db, scope);
  if (!recorded) return undefined;
  const { fingerprint } = recorded;
  if (fingerprint?.startsWith(WITHOUT_BYTES) && fingerprint !== scope.fingerprint)
    throw keyReusedError(scope);
  const storedPath = scope.storedFile(recorded.entityId);
  if (storedPath === undefined) {
    forgetKey(db, scope, recorded.entityId);
    return undefined;
  }
  return { ...recorded, storedPath };
}

/**
 * Refuses with 422 an upload that is not a repeat of the one recorded under its key: another name,
 * size, field or byte. Deleting a resource keeps its file, so the stored bytes are there to compare
 * even when the resource is deleted while they are read.
 */
export async function assertRepeat(
  scope: KeyScope,
  recorded: RecordedUpload,
  upload: KeyedUpload,
): Promise<void> {
  const { fingerprint } = recorded;
  if (fingerprint === null) return;
  if (!fingerprint.startsWith(WITHOUT_BYTES)) {
    if ((await bytesFingerprint(upload)) !== fingerprint) throw keyReusedError(scope);
    return;
  }
  if (
    uploadFingerprint(upload) !== fingerprint ||
    !(await storedBytesMatch(upload.path, recorded.storedPath))
  ) {
    throw keyReusedError(scope);
  }
}

/**
 * Whether the upload holds the bytes its key stored. A stored file that is gone (removed from the
 * data folder behind the server's back) cannot be compared: the name, size and fields already
 * matched, so the upload counts as the repeat it most likely is and gets the resource its key made,
 * rather than a 500 or a refusal that would send the client's retries to a dead end.
 */
async function storedBytesMatch(uploadPath: string, storedPath: string): Promise<boolean> {
  try {
    return await sameFileBytes(uploadPath, storedPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(storedPath)) return true;
    throw error;
  }
}
