export { type DatasetEncoding, DicomDataset, type DicomElement } from './dataset';
export { type DictionaryEntry, lookupKeyword, lookupTag, vrOf } from './dictionary';
export {
  DicomAnonymizeError,
  DicomError,
  DicomParseError,
  type DicomParseErrorDetails,
  DicomTagError,
  DicomWriteError,
} from './errors';
export { isDicom, ParsedDicom, type ParseOptions, parseDicom } from './parse';
export { formatTag, isPrivateTag, type TagInput, tagKey, toTag, toTagKey } from './tags';
export { TransferSyntax, type TransferSyntaxInfo, transferSyntaxInfo } from './transfer-syntax';
