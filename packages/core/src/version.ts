import pkg from '../package.json';

/** The version of `@datamint/core`. */
export const VERSION: string = pkg.version;
/** The `User-Agent` every request sends (an `HttpClient` option can append to it). */
export const USER_AGENT = `datamint-ts/${pkg.version} (@datamint/core; node ${typeof process !== 'undefined' ? process.version : 'unknown'})`;
