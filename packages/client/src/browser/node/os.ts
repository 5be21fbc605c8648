import { unsupported } from '../unsupported';

/** Refused in the browser: `~` in a path only means something on a machine's file system. */
export const homedir = unsupported('os.homedir');
/** Refused in the browser: no temporary folder. */
export const tmpdir = unsupported('os.tmpdir');
