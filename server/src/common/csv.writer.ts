/**
 * The one CSV writer of the product (audit export, SLA report, migration inventory, leaders'
 * comparison). Pure. What it promises (docs/SECURITY.md "CSV cells never become formulas"):
 *
 * - UTF-8 with a byte order mark and CRLF line ends, so Excel and WPS open it as UTF-8;
 * - RFC 4180 quoting: a field holding `"`, `,`, CR or LF, or with white space at either end, is
 *   quoted, and quotes inside are doubled;
 * - no cell is read as a formula (CSV/formula injection, OWASP): text starting with `=`, `+`, `-`,
 *   `@`, a tab or a carriage return gets a leading apostrophe (`=HYPERLINK(…)` is written
 *   `'=HYPERLINK(…)`), which spreadsheets show as text. Numbers are written as they are: a
 *   JavaScript number, or text that is a plain decimal number (`-3.5`, `+2`, `-1.2e3`, as the
 *   reports' `toFixed` figures are), stays a number; only other text is touched.
 * - the apostrophe is reversible: text that already starts with apostrophes followed by one of
 *   those characters gets one more, so `readNeutralisedCell` (used by the migration import) gives
 *   back exactly what was written, whatever the text.
 */

export type CsvValue = string | number | boolean | null | undefined;

/** A cell's first character that spreadsheets read as the start of a formula (or a DDE call). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Apostrophes, then a formula start: the writer's own escape, or text that looks like it. */
const ESCAPED = /^'+[=+\-@\t\r]/;
/** A plain decimal number, which a spreadsheet reads as a number and never as a formula. */
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The text of a cell as written, before quoting: formula starts neutralised. */
export function neutraliseCell(text: string): string {
  if (FORMULA_START.test(text)) return PLAIN_NUMBER.test(text) ? text : `'${text}`;
  return ESCAPED.test(text) ? `'${text}` : text;
}

/** The inverse of neutraliseCell, for a CSV this writer wrote and someone reads back in. */
export function readNeutralisedCell(text: string): string {
  return ESCAPED.test(text) ? text.slice(1) : text;
}

/** One cell: empty for null/undefined, numbers as they are, text neutralised and quoted as needed. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const s = neutraliseCell(String(value));
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One line of cells (no line end). */
export function csvLine(cells: readonly CsvValue[]): string {
  return cells.map(csvCell).join(',');
}

/**
 * A whole CSV document: BOM, lines joined with CRLF, a final CRLF. A row is an array of cells, or
 * a string taken as an already written line (`csvLine`), `''` being an empty line between sections.
 */
export function csvDocument(rows: ReadonlyArray<readonly CsvValue[] | string>): string {
  return '\uFEFF' + rows.map((r) => (typeof r === 'string' ? r : csvLine(r))).join('\r\n') + '\r\n';
}
