export { checkMaskDimensions, type MaskTarget } from './dimensions';
export { type EncodeMaskPngOptions, encodeMaskPng } from './encode-png';
export {
  MaskError,
  type MaskErrorContext,
  MaskFormatError,
  MaskNameError,
  MaskShapeError,
  MaskValueError,
} from './errors';
export { type MaskFromArrayOptions, maskFromArray } from './from-array';
export { MASK_HEADER_BYTES, type MaskGeometry, maskGeometry } from './mask-geometry';
export { type LabelNames, labelIdentifiers } from './names';
export {
  isAnalyzeHeader,
  type NiftiHeader,
  pairHeaderToSingleFile,
  readNiftiHeader,
} from './nifti-header';
export type { NumericArray } from './normalise';
export { type ReadMaskOptions, readMask, readMaskAsync } from './read-mask';
export { type LabelMask, type MaskFrame, type SplitLabelsOptions, splitLabels } from './split-labels';
export { type BinaryFrame, type LabelArray, type LabelFrame, MaskVolume } from './volume';
export { type NiftiVolume, type NiftiVoxels, writeNifti } from './write-nifti';
