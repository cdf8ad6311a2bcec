import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import type { Db } from '../../../core/db/database.ts';
import { inTenant } from '../../../core/db/tenant-scope.ts';

/**
 * Reading uploaded spreadsheets as a stream of rows. Files live in `import_chunks` (≈1 MiB
 * each) and are read back one chunk per short transaction, so neither a 100 MB upload nor
 * the import job ever holds a whole file in memory.
 */
export type FileFormat = 'csv' | 'xlsx';
export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030';

export interface FileRow {
  /** Line (CSV) or row number (XLSX) in the file, 1-based, as a spreadsheet user sees it. */
  line: number;
  cells: string[];
}

/** A CSV structure error with the line a user can look at. */
export class FileFormatError extends Error {
  readonly reason: string;
  readonly line: number | null;
  constructor(reason: string, line: number | null) {
    super(`${reason}${line ? ` at line ${line}` : ''}`);
    this.reason = reason;
    this.line = line;
  }
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

export function sniffFormat(head: Buffer, filename: string): FileFormat | 'xls' {
  if (head.subarray(0, 4).equals(ZIP_MAGIC)) return 'xlsx';
  if (head.subarray(0, 4).equals(OLE_MAGIC)) return 'xls';
  if (/\.xlsx$/i.test(filename) && head.length === 0) return 'xlsx';
  return 'csv';
}

/** Streaming UTF-8 validity check: the whole file decides, not its first kilobytes. */
export class Utf8Check {
  #decoder = new TextDecoder('utf-8', { fatal: true });
  valid = true;
  push(buf: Buffer): void {
    if (!this.valid) return;
    try {
      this.#decoder.decode(buf, { stream: true });
    } catch {
      this.valid = false;
    }
  }
  end(): void {
    if (!this.valid) return;
    try {
      this.#decoder.decode();
    } catch {
      this.valid = false;
    }
  }
}

const CSV_OPTIONS = { relax_column_count: true, skip_empty_lines: true, bom: true, info: true } as const;

const isBlank = (cells: string[]) => cells.every((c) => c === '');

/** Line where a parsed record starts (csv-parse reports where it ends). */
function startLine(endLine: number, cells: string[]): number {
  let nl = 0;
  for (const c of cells) for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) nl++;
  return endLine - nl;
}

function csvError(err: any, lastEnd: number): FileFormatError {
  const code: string = err?.code ?? 'CSV_ERROR';
  // An unclosed quote is only noticed at the end of the file; the user needs the line it opened on.
  const line =
    code === 'CSV_QUOTE_NOT_CLOSED' ? lastEnd + 1 : typeof err?.lines === 'number' ? err.lines : null;
  return new FileFormatError(code, line);
}

/**
 * Structure pass over raw CSV bytes during upload: counts data rows and finds the first
 * syntax error. Decodes as latin1 — every byte one character — which keeps quotes, commas
 * and newlines where they are in UTF-8 and in GBK/GB18030 alike (their trail bytes are ≥ 0x30,
 * never a delimiter), so the count does not depend on the encoding we settle on later.
 */
export class CsvStructureCheck {
  #parser = parse(CSV_OPTIONS);
  rows = -1; // the header row is not a data row
  #lastEnd = 0;
  error: FileFormatError | null = null;
  #done: Promise<void>;
  constructor() {
    this.#done = new Promise((resolve) => {
      this.#parser.on('data', (d: { record: string[]; info: { lines: number } }) => {
        this.#lastEnd = d.info.lines;
        if (!isBlank(d.record)) this.rows++;
      });
      this.#parser.on('error', (err) => {
        this.error ??= csvError(err, this.#lastEnd);
        resolve();
      });
      this.#parser.on('end', () => resolve());
    });
  }
  push(buf: Buffer): void {
    if (!this.error) this.#parser.write(buf.toString('latin1'));
  }
  async end(): Promise<void> {
    if (!this.error) this.#parser.end();
    await this.#done;
    if (this.rows < 0) this.rows = 0;
  }
}

export function decoderFor(encoding: FileEncoding): string {
  return encoding === 'gb18030' ? 'gb18030' : 'utf8';
}

/** Rows of a CSV byte stream, header first; blank rows skipped. */
export async function* csvRows(source: Readable, encoding: FileEncoding): AsyncGenerator<FileRow> {
  const parser = source.pipe(iconv.decodeStream(decoderFor(encoding))).pipe(parse(CSV_OPTIONS));
  let lastEnd = 0;
  try {
    for await (const d of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = startLine(d.info.lines, d.record);
      lastEnd = d.info.lines;
      if (isBlank(d.record)) continue;
      yield { line, cells: d.record };
    }
  } catch (err) {
    throw csvError(err, lastEnd);
  } finally {
    source.destroy();
  }
}

/** Spreadsheet cell → the text a user typed (dates as YYYY-MM-DD, or ISO when they carry a time). */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, any>;
    if (Array.isArray(o.richText)) return o.richText.map((p: { text: string }) => p.text).join('');
    if ('result' in o) return cellText(o.result); // formula: its cached value
    if ('text' in o) return cellText(o.text); // hyperlink
    if ('error' in o) return '';
  }
  return String(v);
}

/** Rows of the first worksheet of an XLSX stream, header first (exceljs streaming reader). */
export async function* xlsxRows(source: Readable): AsyncGenerator<FileRow> {
  // Loaded on first use: exceljs alone costs ~0.4 s of every server start.
  const { default: Excel } = await import('exceljs');
  const reader = new Excel.stream.xlsx.WorkbookReader(source, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  });
  try {
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const values = row.values as unknown[];
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]).trim());
        if (isBlank(cells)) continue;
        yield { line: row.number, cells };
      }
      break; // the first sheet is the data; others are notes or lookups
    }
  } catch (err) {
    if (err instanceof FileFormatError) throw err;
    throw new FileFormatError('XLSX_INVALID', null);
  } finally {
    source.destroy();
  }
}

export function fileRows(
  source: Readable,
  format: FileFormat,
  encoding: FileEncoding,
): AsyncGenerator<FileRow> {
  return format === 'xlsx' ? xlsxRows(source) : csvRows(source, encoding);
}

/** The stored file as a byte stream, one chunk per read transaction, optionally from chunk `fromSeq`. */
export function chunkStream(
  db: Db,
  tenantId: string,
  importId: string,
  onChunk?: (seq: number, bytes: number) => void,
): Readable {
  async function* gen() {
    for (let seq = 0; ; seq++) {
      const row = await inTenant(
        db,
        tenantId,
        async (tx) =>
          (
            await sql<{
              data: Uint8Array;
            }>`select data from import_chunks where tenant_id = ${tenantId} and import_id = ${importId} and seq = ${seq}`.execute(
              tx,
            )
          ).rows[0],
        { readOnly: true },
      );
      if (!row) return;
      // A copy, not a view: PGlite may hand back bytea as a view over memory its next query reuses,
      // and the XLSX reader is still unzipping this chunk while the next one is fetched.
      const buf = Buffer.isBuffer(row.data) ? row.data : Buffer.from(row.data);
      onChunk?.(seq, buf.length);
      yield buf;
    }
  }
  return Readable.from(gen(), { objectMode: false });
}

/** Header and the first `n` data rows of a file held in memory (the upload's first chunk). */
export async function headAndSample(
  source: Readable,
  format: FileFormat,
  encoding: FileEncoding,
  n: number,
): Promise<{ headers: string[]; sample: string[][] }> {
  let headers: string[] | null = null;
  const sample: string[][] = [];
  try {
    for await (const row of fileRows(source, format, encoding)) {
      if (!headers) headers = row.cells.map((c) => c.trim());
      else sample.push(row.cells);
      if (sample.length >= n) break;
    }
  } catch (err) {
    // The prefix may end inside a record; a real error was already found by the structure pass.
    if (
      !(err instanceof FileFormatError) ||
      format === 'xlsx' ||
      (!headers && err.reason !== 'CSV_QUOTE_NOT_CLOSED')
    )
      throw err;
  }
  return { headers: headers ?? [], sample };
}
