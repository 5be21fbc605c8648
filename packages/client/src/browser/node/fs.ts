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
export const open = unsupported('fs.open');
/** Refused in the browser: no file system. */
export const read = unsupported('fs.read');
/** Refused in the browser: no file system. */
export const close = unsupported('fs.close');
