import pkg from '../package.json';

export const VERSION: string = pkg.version;
export const USER_AGENT = `datamint-ts/${pkg.version} (@datamint/core; node ${typeof process !== 'undefined' ? process.version : 'unknown'})`;
