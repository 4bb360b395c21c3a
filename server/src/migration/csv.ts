import { csvDocument } from '../common/csv.writer.js';

/**
 * CSV (RFC 4180) reading and writing, as Excel and WPS write it: comma-separated, fields in double
 * quotes when they hold a comma, a quote (doubled) or a line break; CRLF, LF or CR line ends; a
 * UTF-8 byte order mark at the start is dropped. Pure.
 */

export interface CsvRecord {
  /** Record number, 1 = the first record (the header): the row number a spreadsheet shows. */
  row: number;
  /** Physical line where the record starts (differs from `row` after a quoted line break). */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  row: number;
  line: number;
  message: string;
}

export interface CsvParse {
  records: CsvRecord[];
  /** Malformed records (an unclosed quote, text after a closing quote); they are not in `records`. */
  problems: CsvProblem[];
}

export function parseCsv(input: string): CsvParse {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  let i = 0;
  let line = 1;
  let row = 0;
  const n = text.length;
  while (i < n) {
    row++;
    const startLine = line;
    const fields: string[] = [];
    let problem: string | undefined;
    // one record
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\r' || c === '\n') {
            line++;
            if (c === '\r' && text[i + 1] === '\n') {
              field += '\r\n';
              i += 2;
              continue;
            }
          }
          field += c;
          i++;
        }
        if (!closed) problem ??= `a quoted field is not closed (opened on line ${startLine})`;
        // after the closing quote: a separator, a line end or the end
        if (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
          problem ??= `text after a closing quote in field ${fields.length + 1} (a quote inside a field must be doubled: "")`;
          while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') field += text[i++];
        }
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
          if (text[i] === '"') problem ??= `a quote inside the unquoted field ${fields.length + 1} (quote the field and double the quote: "")`;
          field += text[i++];
        }
      }
      fields.push(field);
      if (i < n && text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    // line end
    if (text[i] === '\r') i += text[i + 1] === '\n' ? 2 : 1;
    else if (text[i] === '\n') i++;
    line++;
    if (problem) problems.push({ row, line: startLine, message: problem });
    else records.push({ row, line: startLine, fields });
  }
  return { records, problems };
}

/**
 * CSV text with a UTF-8 BOM (Excel then reads it as UTF-8) and CRLF line ends, through the
 * product's one writer (common/csv.writer.ts): a cell starting like a formula gets a leading
 * apostrophe, which the import takes off again (readImport).
 */
export function writeCsv(rows: readonly (readonly string[])[]): string {
  return csvDocument(rows);
}
