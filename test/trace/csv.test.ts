import { describe, expect, it } from 'vitest';
import { csvCell, hostsCsv, toCsv, transfersCsv } from '../../src/trace/csv.js';
import { AWKWARD, smallCascade } from './fixture.js';

/** A small RFC 4180 parser, to check that what we write reads back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  return rows;
}

describe('csv', () => {
  it('quotes commas, quotes and newlines per RFC 4180', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\r')).toBe('"cr\r"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(2.5)).toBe('2.5');
    expect(toCsv(['a', 'b'], [[1, 'x,y']])).toBe('a,b\n1,"x,y"\n');
  });

  it('writes one transfer per row that reads back, awkward message included', () => {
    const rows = parseCsv(transfersCsv(smallCascade()));
    expect(rows[0]).toEqual([
      'id',
      'round',
      'from',
      'to',
      'bytes',
      'start',
      'end',
      'outcome',
      'code',
      'message',
      'paths',
      'delivered_bytes',
    ]);
    expect(rows).toHaveLength(1 + 5);
    expect(rows[1]).toEqual(['0', '0', 'deployer', 'host-001', '100', '0', '1', 'ok', '', '', '2', '100']);
    expect(rows[4]).toEqual([
      '3',
      '2',
      'host-002',
      'host-004',
      '100',
      '2.5',
      '2.75',
      'failed',
      'copy-failed',
      AWKWARD,
      '2',
      '0',
    ]);
    expect(rows[5]![8]).toBe('unreachable');
  });

  it('writes one host per row in fleet order with status, parent and failure', () => {
    const rows = parseCsv(hostsCsv(smallCascade()));
    const header = rows[0]!;
    const col = (r: string[], name: string): string => r[header.indexOf(name)]!;
    expect(rows.slice(1).map((r) => r[0])).toEqual([
      'deployer',
      'host-001',
      'host-002',
      'host-003',
      'host-004',
    ]);
    expect(rows.slice(1).map((r) => col(r, 'status'))).toEqual([
      'not-a-target',
      'done',
      'done',
      'done',
      'failed',
    ]);
    expect(col(rows[4]!, 'parent')).toBe('host-001');
    expect(col(rows[4]!, 'done_at')).toBe('2.5');
    expect(col(rows[5]!, 'failed_code')).toBe('unreachable');
    expect(col(rows[1]!, 'seed')).toBe('true');
    expect(col(rows[1]!, 'bytes_sent')).toBe('200');
  });
});
