import { unsupported } from '../unsupported';

/** Refused in the browser: a gzip-compressed mask (`.nii.gz`) needs Node; send the `.nii` instead. */
export const gunzipSync = unsupported('zlib.gunzipSync');
