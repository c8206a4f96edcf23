import { describe, expect, it } from 'vitest';
import { TopLevelRecords } from '../../../../src/activity/log-files/top-level-records.js';

interface Cut {
  text: string;
  eventId: string | null;
}

/** The records cut from the array `entries` (the text after `{"Records":[`), pushed in chunks of `size`. */
function cut(entries: string, size = Number.POSITIVE_INFINITY): { records: Cut[]; ended: boolean } {
  const records: Cut[] = [];
  const cutter = new TopLevelRecords((bytes, start, end, idStart, idEnd) => {
    records.push({
      text: bytes.toString('utf8', start, end),
      eventId: idStart === -1 ? null : bytes.toString('utf8', idStart, idEnd),
    });
    return true;
  });
  const bytes = Buffer.from(entries);
  let accepted = true;
  for (let at = 0; at < bytes.length && accepted; at += Math.min(size, bytes.length))
    accepted = cutter.push(bytes.subarray(at, at + size));
  return { records, ended: accepted && cutter.ended };
}

describe('TopLevelRecords', () => {
  it('cuts the entries of the array, whatever the strings and nesting hold', () => {
    const entries = [
      { eventVersion: '1', requestParameters: { list: [{ eventVersion: '2' }, '}]"{'] } },
      { eventVersion: '1', note: 'a \\" quote, a \\\\ backslash, ] and }' },
      {},
    ].map((entry) => JSON.stringify(entry));

    for (const size of [1, 2, 3, 7, 64, Number.POSITIVE_INFINITY]) {
      const { records, ended } = cut(`${entries.join(',')}]}`, size);

      expect(records.map((record) => record.text)).toEqual(entries);
      expect(ended).toBe(true);
    }
  });

  it('gives the top-level event id only, the last of repeated ones, when its bytes are its value', () => {
    const entries = [
      '{"requestParameters":{"eventID":"nested"},"eventID":"top"}',
      '{"eventID":"first","eventID":"last"}',
      '{"eventID":"string","eventID":7}',
      '{"eventID":null}',
      '{"eventID":"a","note":"\\n"}',
      '{"eve\\u006etID":"escaped-key","eventID":"x"}',
      '{ "eventID" : "spaced" , "other": {"eventID": "no"} }',
      '{"items":[{"eventID":"in a list"}],"readOnly":true}',
    ];

    const { records } = cut(`${entries.join(',')}]}`);

    expect(records.map((record) => record.eventId)).toEqual(['top', 'last', null, null, null, null, 'spaced', null]);
  });

  it('gives no event id for a record cut across chunks, and the same records', () => {
    const entry = '{"eventVersion":"1.08","eventID":"0f9a"}';

    const { records } = cut(`${entry},${entry}]}`, entry.length + 5);

    expect(records).toEqual([
      { text: entry, eventId: '0f9a' },
      { text: entry, eventId: null },
    ]);
  });

  it('stops at anything but objects in the array, or anything but the end after it', () => {
    for (const entries of ['{"a":1},2]}', '{"a":1},]}', '{"a":1}],"more":1}', '{"a":1}]}x', '{"a":1}{"b":2}]}'])
      expect(cut(entries).ended, entries).toBe(false);
    expect(cut(']}').ended).toBe(true);
    expect(cut('{"a":1}]').ended).toBe(false);
  });
});
