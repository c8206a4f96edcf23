import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../../../src/activity/cloudtrail-record.js';
import { isWantedRecord, recordsOf } from '../../../../src/activity/log-files/delivery-parser.js';
import { RecordFields } from '../../../../src/activity/log-files/record-fields/record-fields.js';
import { wantedKeys } from '../../../../src/activity/log-files/wanted-keys.js';
import { ActivityAccumulator } from '../../../../src/activity/summarizer.js';
import { INVICTUS_KEY, loadInvictusRecords } from '../../../support/fixtures.js';

const SESSION_KEY = 'ASIATFQR7NSCS5BLNV76';
const KEYS = [INVICTUS_KEY, SESSION_KEY];
const WIDE = { start: new Date('2000-01-01T00:00:00Z'), end: new Date('2100-01-01T00:00:00Z') };

function summaries(records: readonly unknown[]) {
  const accumulators = KEYS.map((key) => new ActivityAccumulator(key, WIDE));
  for (const record of records) for (const accumulator of accumulators) accumulator.add(record as CloudTrailRecord);
  return accumulators.map((accumulator) => accumulator.summary({ source: 'cloudtrail-logs', regionsSearched: [] }));
}

/** What JSON.parse of the whole text gives: the summaries of the wanted keys' records, or null if it is not JSON. */
function parsedWhole(text: Buffer) {
  const wanted = wantedKeys(KEYS);
  let all: unknown[] | null;
  try {
    all = recordsOf(text);
  } catch {
    return null;
  }
  return all && { summaries: summaries(all.filter((record) => isWantedRecord(record, wanted))), seen: all.length };
}

function found(text: Buffer | string, finder = RecordFields.create(wantedKeys(KEYS))) {
  const result = finder?.find(Buffer.isBuffer(text) ? text : Buffer.from(text));
  return result && { summaries: summaries(result.records), seen: result.seen };
}

/** The module's answer must be exactly JSON.parse's, or no answer at all. */
function expectExact(text: string | Buffer, options: { answers?: boolean } = {}): void {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const ours = found(bytes);
  if (options.answers !== false) expect(ours).not.toBeNull();
  if (ours) expect(ours).toEqual(parsedWhole(bytes));
}

const delivery = (records: unknown[]) => JSON.stringify({ Records: records });

function publishedRecords(): unknown[] {
  const folder = new URL('../../../fixtures/cloudtrail/published/', import.meta.url);
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(new URL(name, folder), 'utf8')))
    .map((record) => ({
      ...record,
      eventTime: '2023-07-10T12:00:00Z',
      userIdentity: { ...record.userIdentity, accessKeyId: INVICTUS_KEY },
    }));
}

describe('RecordFields: the records of a delivery found with WebAssembly', () => {
  it('counts the data set exactly as JSON.parse does, in deliveries of every size', () => {
    const records = loadInvictusRecords();
    for (const size of [1, 7, 55, 300, records.length]) {
      for (let at = 0; at < records.length; at += size * 3) {
        const text = Buffer.from(delivery(records.slice(at, at + size)));
        const ours = found(text);
        expect(ours).toEqual(parsedWhole(text));
        expect(ours?.seen).toBe(Math.min(size, records.length - at));
      }
    }
    const whole = found(delivery(records));
    expect(whole?.summaries[0]?.totalEvents).toBe(2104);
    expect(whole?.summaries[0]?.resourceNames.length).toBeGreaterThan(0);
  });

  it('counts the records others published exactly, pretty-printed or compact', () => {
    const records = publishedRecords();
    expect(records.length).toBeGreaterThanOrEqual(12);
    expectExact(delivery(records));
    expectExact(JSON.stringify({ Records: records }, null, 2));
    expectExact(JSON.stringify({ Records: records }, null, '\t').replaceAll('\n', '\r\n'));
    const summary = found(delivery(records))?.summaries[0];
    expect(summary?.resourceTypes.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(['AWS::IAM::User', 'AWS::EC2::Instance', 'AWS::SSM::Parameter']),
    );
    expect(summary?.riskyEvents.length).toBeGreaterThan(5);
  });

  it('reads fields as JSON does whatever their shape: escapes, repeated keys, other types, look-alikes', () => {
    const base = loadInvictusRecords().find(
      (record) => record.userIdentity?.accessKeyId === INVICTUS_KEY && record.requestParameters,
    ) as Record<string, unknown>;
    const shapes: Record<string, unknown>[] = [
      { ...base, eventName: 'Quote"and\\back\\slash', userAgent: 'tab\there \u00e9\u4e2d\ud83d\ude00' },
      { ...base, eventName: null, eventSource: 7, awsRegion: { nested: 'x' }, errorCode: ['a'], sourceIPAddress: true },
      { ...base, requestParameters: ['bucketName'], responseElements: 'credentials' },
      { ...base, requestParameters: { bucketName: 'b', nested: { userName: 'not read' } }, resources: 'x' },
      { ...base, requestParameters: { policy: '{"userName":"inside a string"}' } },
      { ...base, requestParameters: null, responseElements: { credentials: { accessKeyId: 'ASIAMINTED0000000000' } } },
      { ...base, eventSource: 'ssm.amazonaws.com', requestParameters: { names: ['/a', '/b', 3], name: '/c' } },
      // What persistence calls made, named in their responses (and two IAM request parameters).
      {
        ...base,
        eventSource: 'iam.amazonaws.com',
        requestParameters: { versionId: 'v1', serialNumber: 'arn:aws:iam::1:mfa/d' },
        responseElements: { sSHPublicKey: { sSHPublicKeyId: 'APKAEXAMPLE' } },
      },
      { ...base, eventSource: 'ec2.amazonaws.com', responseElements: { CreateFleetResponse: { fleetId: 'fleet-1' } } },
      { ...base, responseElements: { spotInstanceRequestSet: { items: [{ spotInstanceRequestId: 'sir-1' }] } } },
      { ...base, resources: [{ type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::b' }, null, 'x'] },
      { ...base, userIdentity: { type: 'IAMUser', userName: 7, accessKeyId: INVICTUS_KEY } },
      { ...base, userIdentity: { type: 'IAMUser', accessKeyId: SESSION_KEY, sessionContext: { userName: 'x' } } },
      { ...base, userIdentity: [{ accessKeyId: INVICTUS_KEY }] },
      { ...base, userIdentity: { accessKeyId: { value: INVICTUS_KEY } } },
      { ...base, userIdentity: { accessKeyId: null } },
      { ...base, eventID: 'escaped \\ id', eventTime: '2023-07-10T12:00:00.123Z' },
      { nested: { eventVersion: '1.08', userIdentity: { accessKeyId: INVICTUS_KEY }, eventName: 'LookAlike' } },
      {},
    ];
    for (const shape of shapes) expectExact(delivery([shape, base]));
    // Escapes where a name could be: JSON reads them as the names they spell.
    const text = delivery([{ ...base, eventID: 'e1' }]);
    for (const [from, to] of [
      ['"eventName"', '"event\\u004eame"'],
      ['"accessKeyId"', '"access\\u004beyId"'],
      [`"${INVICTUS_KEY}"`, `"\\u0041${INVICTUS_KEY.slice(1)}"`],
      ['"userIdentity"', '"user\\u0049dentity"'],
      ['"requestParameters":{', '"requestParameters":{"\\u0062ucketName":"hidden",'],
    ] as const) {
      expect(text).toContain(from);
      expectExact(text.replace(from, to));
    }
    // Repeated keys: JSON keeps the last.
    const repeated = text
      .replace('"eventName":', '"eventName":"First","eventName":')
      .replace('{"eventVersion"', `{"userIdentity":{"accessKeyId":"${SESSION_KEY}"},"eventVersion"`)
      .replace('"requestParameters":', '"requestParameters":{"bucketName":"first"},"requestParameters":');
    expectExact(repeated);
    expect(found(repeated)?.summaries[0]?.totalEvents).toBe(1);
  });

  it('gives the same answer wherever a string ends in its 64-byte block', () => {
    const base = loadInvictusRecords().find((record) => record.userIdentity?.accessKeyId === INVICTUS_KEY) as Record<
      string,
      unknown
    >;
    for (let pad = 0; pad < 70; pad += 1) {
      const filler = 'x'.repeat(pad);
      expectExact(
        delivery([
          { pad: filler, ...base, eventName: `a\\\\"${filler}\\"`, userAgent: `${'\\\\'.repeat(pad % 5)}"` },
          { ...base, eventID: `${filler}2`, eventName: `${filler}\\` },
        ]),
      );
    }
  });

  it('answers nothing for what is not a delivery, or not JSON, and JSON.parse decides', () => {
    const record = JSON.stringify({ eventTime: '2023-07-10T12:00:00Z', userIdentity: { accessKeyId: INVICTUS_KEY } });
    expect(record.endsWith('}}')).toBe(true);
    const notAnswered = [
      '',
      '   ',
      '{}',
      ' { } ',
      '{"Records":[]',
      `\ufeff{"Records":[${record}]}`,
      `{"Records":[${record}],"Other":1}`,
      `{"Other":1,"Records":[${record}]}`,
      `{"Records":[${record},1]}`,
      `{"Records":[${record},"x"]}`,
      `[${record}]`,
      `{"Records":{}}`,
      `{"Records":[${record}]}x`,
      `{"Records":[${record}]}{}`,
      `{"Records":[${record},]}`,
      `{"Records":[${record}]`,
      `{"Records":[${record.replace('"eventTime"', '"event\ttime"')}]}`,
      `{"Records":[${record.replace('"eventTime"', '"event\\xtime"')}]}`,
      `{"Records":[${record.replace('"eventTime"', '"event\\u12Gztime"')}]}`,
      `{"Records":[${record.replace('}}', '},"n":01}')}]}`,
      `{"Records":[${record.replace('}}', '},"n":1.}')}]}`,
      `{"Records":[${record.replace('}}', '},"n":tru}')}]}`,
      `{"Records":[${record.replace('}}', '},"n":- 1}')}]}`,
      `{"Records":[${record.replace('}}', '},"n":[1 2]}')}]}`,
      `{"Records":[${record.replace('}}', '},"n":{"a" "b"}}')}]}`,
      `{"Records":[${record.replace('}}', '},"n":{"a":"b",}}')}]}`,
      `{"Records":[${record.replace('}}', `},"n":${'['.repeat(1200)}${']'.repeat(1200)}}`)}]}`,
    ];
    for (const text of notAnswered) expect(found(text), text.slice(0, 80)).toBeNull();
    // Deep nesting is JSON; the module leaves it to JSON.parse, which reads it.
    expect(parsedWhole(Buffer.from(notAnswered.at(-1) as string))).not.toBeNull();
    expectExact(`{"Records":[${record.replace('}}', '},"n":[-0.5e+3,true,false,null,{"x":[]}]}')}]}`);
    expectExact(` \r\n{ "Records" : [ ${record} , {} ] }\n `);
    expectExact('{"Records":[]}');
  });

  it('never answers for text JSON.parse refuses, and answers exactly otherwise (random damage)', () => {
    const records = loadInvictusRecords().slice(0, 12);
    const text = Buffer.from(delivery(records));
    const replacements = Buffer.from('"\\{}[],:. -0e9aEtnu\t\n\u0001');
    let seed = 42;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % below;
    };
    let answered = 0;
    for (let trial = 0; trial < 3000; trial += 1) {
      const damaged = Buffer.from(text);
      for (let change = 0; change <= random(3); change += 1)
        damaged[random(damaged.length)] = replacements[random(replacements.length)] as number;
      const ours = found(damaged);
      if (ours) {
        answered += 1;
        expect(ours).toEqual(parsedWhole(damaged));
      }
    }
    expect(answered).toBeGreaterThan(300);
  });

  it('skips the records whose event id was counted already, without building them', () => {
    const records = loadInvictusRecords().slice(0, 200);
    const counted = new Set(records.slice(0, 100).map((record) => record.eventID));
    const finder = RecordFields.create(wantedKeys(KEYS), (bytes, start, end) =>
      counted.has(bytes.toString('utf8', start, end)),
    );
    const ours = finder?.find(Buffer.from(delivery(records)));
    expect(ours?.seen).toBe(200);
    const ids = ours?.records.map((record) => record.eventID) ?? [];
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.some((id) => counted.has(id))).toBe(false);
    expect(ids).toEqual(
      records
        .slice(100)
        .filter((record) => KEYS.includes(record.userIdentity?.accessKeyId ?? ''))
        .map((r) => r.eventID),
    );
  });

  it('is reused across files of every size, growing its memory', () => {
    const finder = RecordFields.create(wantedKeys(KEYS));
    const records = loadInvictusRecords();
    for (const size of [10, 2900, 3, 1500]) {
      const text = Buffer.from(delivery(records.slice(0, size)));
      expect(found(text, finder)).toEqual(parsedWhole(text));
    }
  });

  it('stays exact once its room for distinct texts is full (long texts, then many)', () => {
    const finder = RecordFields.create(wantedKeys(KEYS));
    const base = {
      eventTime: '2023-07-10T12:00:00Z',
      eventName: 'GetObject',
      userIdentity: { accessKeyId: INVICTUS_KEY },
    };
    // 2 MiB of text at most: 40,000 agents of 80 characters fill it first; then 40,000 short addresses fill the ids.
    const long = Array.from({ length: 40_000 }, (_, index) => ({
      ...base,
      eventID: `long-${index}`,
      userAgent: `agent/${String(index).padStart(74, '0')}`,
    }));
    const many = Array.from({ length: 40_000 }, (_, index) => ({
      ...base,
      eventID: `many-${index}`,
      sourceIPAddress: `10.${index >> 8}.${index & 255}.1`,
      userIdentity: { accessKeyId: INVICTUS_KEY, userName: `user-${index % 7}` },
    }));
    for (const records of [long.slice(0, 20_000), long.slice(20_000), many.slice(0, 20_000), many.slice(20_000)]) {
      const text = Buffer.from(delivery(records));
      expect(found(text, finder)).toEqual(parsedWhole(text));
    }
    const again = Buffer.from(delivery([...long.slice(0, 50), ...many.slice(-50)]));
    expect(found(again, finder)).toEqual(parsedWhole(again));
  });

  it('hands a file over when its records are too small for the room it leaves them', () => {
    const tiny = Array.from({ length: 5000 }, () => ({ userIdentity: { accessKeyId: INVICTUS_KEY } }));
    expect(found(delivery(tiny))).toBeNull();
    expect(parsedWhole(Buffer.from(delivery(tiny)))?.seen).toBe(5000);
  });
});
