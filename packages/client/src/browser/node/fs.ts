import { unsupported } from '../unsupported';

/** Refused in the browser: no file system. */
export const createReadStream = unsupported('fs.createReadStream');
/** Refused in the browser: no file system. */
export const createWriteStream = unsupported('fs.createWriteStream');
/** Refused in the browser: no file system (an upload journal needs Node). */
export const appendFileSync = unsupported('fs.appendFileSync');
/** Refused in the browser: no file system. */
export const mkdirSync = unsupported('fs.mkdirSync');
/** Refused in the browser: no file system. */
export const readFileSync = unsupported('fs.readFileSync');
/** Refused in the browser: no file system. */
export const openSync = unsupported('fs.openSync');
/** Refused in the browser: no file system. */
export const readSync = unsupported('fs.readSync');
/** Refused in the browser: no file system. */
export const closeSync = unsupported('fs.closeSync');
/** Refused in the browser: no file system. */
export const statSync = unsupported('fs.statSync');
/** Refused in the browser: no file system. */
export const readdirSync = unsupported('fs.readdirSync');
/** Refused in the browser: no file system. */
export const lstatSync = unsupported('fs.lstatSync');
/** Refused in the browser: no file system. */
export const readlinkSync = unsupported('fs.readlinkSync');
/** Refused in the browser: no file system. */
export const realpathSync = unsupported('fs.realpathSync');
