import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import yazl from 'yazl';
import type { ProjectAnnotationRow } from './repos/project-work';

/** Columns of the annotation exports, in order. */
const COLUMNS: ReadonlyArray<[string, (a: ProjectAnnotationRow) => string | number | null]> = [
  ['annotation_id', (a) => a.id],
  ['resource_id', (a) => a.resource_id],
  ['filename', (a) => a.filename],
  ['identifier', (a) => a.name],
  ['type', (a) => a.type],
  ['scope', (a) => a.scope],
  ['frame_index', (a) => a.frame_index],
  ['value', (a) => a.value],
  ['annotator', (a) => a.added_by],
  ['status', (a) => a.status],
  ['created_at', (a) => a.created_at],
];

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  // RFC 4180 quoting; a leading formula character is defused so spreadsheets show the text.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The annotations as CSV (header row, one row per annotation, CRLF line ends). */
export function annotationsCsv(rows: readonly ProjectAnnotationRow[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const row of rows) lines.push(COLUMNS.map(([, get]) => csvCell(get(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function xml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .split('')
    .filter((c) => !isXmlForbidden(c.charCodeAt(0)))
    .join('');
}

/** C0 control characters other than tab, line feed and carriage return cannot appear in XML 1.0. */
function isXmlForbidden(code: number): boolean {
  return code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d;
}

function columnName(index: number): string {
  let n = index + 1;
  let name = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    name = String.fromCharCode(65 + rem) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

function sheetXml(rows: readonly ProjectAnnotationRow[]): string {
  const cells = (values: Array<string | number | null>, r: number) =>
    values
      .map((v, c) => {
        const ref = `${columnName(c)}${r}`;
        if (v === null) return '';
        if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
        return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xml(v)}</t></is></c>`;
      })
      .join('');
  const body = [
    `<row r="1">${cells(
      COLUMNS.map(([name]) => name),
      1,
    )}</row>`,
    ...rows.map(
      (row, i) =>
        `<row r="${i + 2}">${cells(
          COLUMNS.map(([, get]) => get(row)),
          i + 2,
        )}</row>`,
    ),
  ].join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${body}</sheetData></worksheet>`;
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
const WORKBOOK = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="annotations" sheetId="1" r:id="rId1"/></sheets></workbook>`;
const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`;

/** The annotations as a one-sheet Office Open XML workbook (same columns as the CSV). */
export async function annotationsXlsx(rows: readonly ProjectAnnotationRow[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const add = (text: string, name: string) => zip.addBuffer(Buffer.from(text, 'utf8'), name);
  add(CONTENT_TYPES, '[Content_Types].xml');
  add(ROOT_RELS, '_rels/.rels');
  add(WORKBOOK, 'xl/workbook.xml');
  add(WORKBOOK_RELS, 'xl/_rels/workbook.xml.rels');
  add(sheetXml(rows), 'xl/worksheets/sheet1.xml');
  zip.end();
  return buffer(zip.outputStream as unknown as Readable);
}

export const XLSX_MIMETYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
