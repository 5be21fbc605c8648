import { unsupported } from '../unsupported';

/** Refused in the browser: stream inputs are spooled to disk in Node; pass a Blob instead. */
export const Readable = {
  from: unsupported('stream.Readable.from'),
  fromWeb: unsupported('stream.Readable.fromWeb'),
};
