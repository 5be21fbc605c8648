import dicomParser, { type ByteStream, type DataSet, type Element } from 'dicom-parser';
import { LONG_HEADER_VRS } from './transfer-syntax';

const UNDEFINED_LENGTH = 0xffffffff;
const PIXEL_DATA = 'x7fe00010';
const ITEM_DELIMITATION = 'xfffee00d';
const SEQUENCE_DELIMITATION = 'xfffee0dd';
/** An item's tag and 4-byte length. */
const ITEM_HEADER_BYTES = 8;

// dicom-parser's typings omit its DataSet constructor, which it exports.
const DataSetCtor = (
  dicomParser as unknown as { DataSet: new (p: unknown, b: Uint8Array, e: object) => DataSet }
).DataSet;

/** A dicom-parser DataSet over the stream's bytes holding `elements`. */
export function newDataSet(
  parser: ByteStream['byteArrayParser'],
  bytes: Uint8Array,
  elements: DataSet['elements'],
): DataSet {
  return new DataSetCtor(parser, bytes, elements);
}

/**
 * Reads one explicit VR element at the stream's position the way dicom-parser's
 * readDicomElementExplicit does, with one difference: every VR whose header carries a 4-byte length
 * is read with one. dicom-parser 1.8 does not know OV, SV and UV and reads their length from the
 * two reserved bytes (always 0), which turns the rest of the data set into garbage; pydicom reads
 * them.
 * Sequences are read here as well, so the elements of their items get the same reading.
 * Undefined-length values that are not sequences (encapsulated pixel data, UN holding implicit VR
 * items, delimited values) are left to dicom-parser's own readers. Malformed data throws a string,
 * as dicom-parser's readers do.
 */
export function readElementExplicit(stream: ByteStream, warnings: string[], untilTag?: string): Element {
  const tag = dicomParser.readTag(stream);
  const vr = stream.readFixedString(2);
  let length: number;
  if (LONG_HEADER_VRS.has(vr)) {
    stream.seek(2);
    length = stream.readUint32();
  } else {
    length = stream.readUint16();
  }
  const element = { tag, vr, length, dataOffset: stream.position } as Element;
  if (length === UNDEFINED_LENGTH) element.hadUndefinedLength = true;
  if (tag === untilTag) return element;
  if (vr === 'SQ') {
    readSequenceItems(stream, element, warnings);
  } else if (length !== UNDEFINED_LENGTH) {
    stream.seek(length);
  } else if (tag === PIXEL_DATA) {
    dicomParser.findEndOfEncapsulatedElement(stream, element, warnings);
  } else if (vr === 'UN') {
    dicomParser.readSequenceItemsImplicit(stream, element);
  } else {
    dicomParser.findItemDelimitationItemAndSetElementLength(stream, element);
  }
  return element;
}

/** The items of a sequence, up to its length or its delimitation item. */
function readSequenceItems(stream: ByteStream, element: Element, warnings: string[]): void {
  const items: NonNullable<Element['items']> = [];
  element.items = items;
  if (element.length !== UNDEFINED_LENGTH) {
    const end = element.dataOffset + element.length;
    while (stream.position < end) items.push(readItem(stream, warnings));
    return;
  }
  while (stream.position + 4 <= stream.byteArray.length) {
    const next = dicomParser.readTag(stream);
    stream.seek(-4);
    if (next === SEQUENCE_DELIMITATION) {
      element.length = stream.position - element.dataOffset;
      stream.seek(8);
      return;
    }
    items.push(readItem(stream, warnings));
  }
  warnings.push(
    'eof encountered before finding sequence delimitation tag while reading sequence of undefined length',
  );
  element.length = stream.position - element.dataOffset;
}

/** One item (its tag checked by dicom-parser) with its data set. */
function readItem(stream: ByteStream, warnings: string[]): NonNullable<Element['items']>[number] {
  const item = dicomParser.readSequenceItem(stream) as NonNullable<Element['items']>[number];
  const elements: DataSet['elements'] = {};
  item.dataSet = newDataSet(stream.byteArrayParser, stream.byteArray, elements);
  if (item.length === UNDEFINED_LENGTH) {
    item.hadUndefinedLength = true;
    readUntilItemDelimitation(stream, elements, warnings);
    item.length = stream.position - item.dataOffset;
    return item;
  }
  const end = stream.position + item.length;
  if (end > stream.byteArray.length) {
    throw `item at ${item.dataOffset - ITEM_HEADER_BYTES} (${item.length} bytes) extends past the end of the data`;
  }
  while (stream.position < end) {
    const el = readElementExplicit(stream, warnings);
    elements[el.tag] = el;
  }
  if (stream.position > end) throw 'buffer overrun: an element runs past the end of its item';
  return item;
}

/** The elements of an undefined-length item, its delimitation item included (as dicom-parser keeps it). */
function readUntilItemDelimitation(
  stream: ByteStream,
  elements: DataSet['elements'],
  warnings: string[],
): void {
  while (stream.position < stream.byteArray.length) {
    const el = readElementExplicit(stream, warnings);
    elements[el.tag] = el;
    if (el.tag === ITEM_DELIMITATION) return;
  }
  warnings.push(
    'eof encountered before finding item delimiter tag while reading sequence item of undefined length',
  );
}
