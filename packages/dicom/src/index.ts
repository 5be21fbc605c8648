export {
  type AnnotationGeometry,
  AnnotationGeometryError,
  type AnnotationGeometryInput,
  annotationGeometry,
  type BoxGeometry,
  type BuiltAnnotationGeometry,
  boxCorners,
  type CoordinateSystem,
  type ImageSpace,
  type LineGeometry,
  type PixelPosition,
  parseBoxGeometry,
  parseLineGeometry,
  patientPointToPixel,
  pixelPointToPatient,
  toPixel,
  type ViewVectors,
  viewVectors,
} from './annotation-geometry';
export {
  type AnonymizationProfile,
  type AnonymizeFileOptions,
  type AnonymizeOptions,
  type Anonymizer,
  anonymizeDicom,
  createAnonymizer,
  SDK_TAGS,
} from './anonymize';
export {
  type AssembleCompression,
  type AssembledSeries,
  type AssembleInput,
  type AssembleOptions,
  type AssembleResult,
  type AssemblyPlan,
  assembleGroup,
  assembleSeries,
  DicomAssembleError,
  type FrameOrder,
  groupSlices,
  type PassedThrough,
  planAssembly,
  readSlice,
  type SeriesGroup,
  type SliceInfo,
  type SliceOutcome,
  type SliceReading,
  sliceHeaderParser,
  type Unassembled,
} from './assemble-series';
export type { CodecLoadOptions } from './codecs/codec-modules';
export { DicomDecodeError, type DicomDecodeErrorDetails } from './codecs/decode-error';
export {
  DECODABLE_TRANSFER_SYNTAXES,
  DEFAULT_MAX_MEGAPIXELS,
  type DecodedFrame,
  type DecodeFrameOptions,
  decodeFrame,
  type PixelArray,
} from './codecs/decode-frame';
export {
  type PatientToPixelOptions,
  type PixelLocation,
  type PixelPoint,
  patientToPixel,
  pixelToPatient,
} from './coordinates';
export { type DatasetEncoding, DicomDataset, type DicomElement } from './dataset';
export { type DictionaryEntry, lookupKeyword, lookupTag, vrOf } from './dictionary';
export {
  type DicomValue,
  type ElementEncoding,
  encodeElement,
  encodeHeader,
  encodeValue,
  type NewElement,
} from './encode';
export {
  DicomAnonymizeError,
  DicomError,
  DicomParseError,
  type DicomParseErrorDetails,
  DicomTagError,
  DicomWriteError,
} from './errors';
export {
  DicomGeometryError,
  type FrameGeometry,
  type GeometrySource,
  geometryOf,
  type ImageGeometry,
  type Vec3,
} from './geometry';
export {
  type AxisCode,
  type NiftiGeometryHeader,
  type NiftiSliceLayout,
  niftiAxisCodes,
  niftiPatientToPixel,
  niftiPixelToPatient,
  niftiPixelToWorld,
  niftiSliceLayout,
  type SlicePlane,
} from './nifti-geometry';
export { isDicom, ParsedDicom, type ParseOptions, parseDicom } from './parse';
export type { DicomParseWarning, DicomParseWarningCode } from './parse-warnings';
export {
  type ProfileAction,
  type ProfileRow,
  profileRow,
  type ResolvedAction,
  resolveAction,
} from './profile';
export { formatTag, isPrivateTag, type TagInput, tagKey, toTag, toTagKey } from './tags';
export { TransferSyntax, type TransferSyntaxInfo, transferSyntaxInfo } from './transfer-syntax';
export { keyedUid, sdkToken } from './uid';
export {
  type DicomEdit,
  IMPLEMENTATION_CLASS_UID,
  IMPLEMENTATION_VERSION_NAME,
  type WriteOptions,
  writeDicom,
} from './write';
