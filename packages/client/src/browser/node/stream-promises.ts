import { unsupported } from '../unsupported';

/** Refused in the browser: no Node streams. */
export const pipeline = unsupported('stream.pipeline');
