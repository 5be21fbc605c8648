import { bytesToDecimal, hmacSha256, keyedHmacSha256, md5Hex, sha512Hex, toHex } from './hash';

/**
 * Keyed UID mapping: `2.25.` + the first 128 bits of HMAC-SHA-256(key, uid) in decimal (at most
 * 44 characters, a valid UUID-derived UID). The same key maps the same UID to the same result.
 */
export function keyedUid(key: Uint8Array, uid: string): string {
  return `2.25.${bytesToDecimal(hmacSha256(key, uid).subarray(0, 16))}`;
}

const CACHE_LIMIT = 65_536;

/**
 * A memoised UID mapper for one key: the study, series and frame-of-reference UIDs repeat in every
 * file of a batch, so caching them saves most of the hashing.
 */
export function createUidMapper(key: Uint8Array): (uid: string) => string {
  const mac = keyedHmacSha256(key);
  const cache = new Map<string, string>();
  return (uid) => {
    let mapped = cache.get(uid);
    if (mapped === undefined) {
      mapped = `2.25.${bytesToDecimal(mac(uid).subarray(0, 16))}`;
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(uid, mapped);
    }
    return mapped;
  };
}

/** Keyed PatientID pseudonyms: `ANON-` + 24 hex digits of HMAC-SHA-256(key, "PatientID:" + id). */
export function createPseudonymMapper(key: Uint8Array): (id: string) => string {
  const mac = keyedHmacSha256(key);
  const cache = new Map<string, string>();
  return (id) => {
    let p = cache.get(id);
    if (p === undefined) {
      p = `ANON-${toHex(mac(`PatientID:${id}`).subarray(0, 12)).toUpperCase()}`;
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(id, p);
    }
    return p;
  };
}

/** A memoised {@link sdkToken}. */
export function createSdkTokenMapper(): (tag: number, value: string | undefined) => string {
  const cache = new Map<string, string>();
  return (tag, value) => {
    if (value === undefined) return sdkToken(tag, value);
    const k = `${tag}|${value}`;
    let token = cache.get(k);
    if (token === undefined) {
      token = sdkToken(tag, value);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(k, token);
    }
    return token;
  };
}

/** pydicom's root used by the Python SDK's generate_uid. */
const PYDICOM_UID_ROOT = '1.2.826.0.1.3680043.8.498.';
export const SDK_CLEARED = 'CLEARED_BY_DATAMINT';

/**
 * The Python SDK's TokenMapper (seed 42): MD5 of `"(group, element)" + value + "42"`, decimal group
 * and element; PatientID gets the hex digest, UIDs pydicom's generate_uid of "DATAMINT" + digest.
 */
export function sdkToken(tag: number, value: string | undefined): string {
  if (value === undefined || value === SDK_CLEARED) return SDK_CLEARED;
  const h = md5Hex(`(${tag >>> 16}, ${tag & 0xffff})${value}42`);
  if (tag === 0x00100020) return h;
  const digits = BigInt(`0x${sha512Hex(`DATAMINT${h}`)}`).toString(10);
  return `${PYDICOM_UID_ROOT}${digits}`.slice(0, 64);
}
