import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../src/errors.js';
import { HEALTH_RISK_CODES } from '../../../src/incident/health.js';
import { parseIncident } from '../../../src/incident/parse-incident.js';
import { loadEvent } from '../../support/fixtures.js';

function invalidField(event: unknown): string {
  try {
    parseIncident(event);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    return (error as InvalidEventError).field;
  }
  throw new Error('expected parseIncident to throw');
}

describe('parseIncident with Trusted Advisor events', () => {
  it('reads every field of an exposed key item', () => {
    const incident = parseIncident(loadEvent('trusted-advisor-exposed'));

    expect(incident).toEqual({
      source: 'trusted-advisor',
      accountId: '123456789012',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'alice',
      location: 'https://github.com/example-org/payments-service/blob/4be2c1d/config/settings.py',
      fraudType: 'Exposed',
      caseId: '02648f3b-e9f5-4a1d-8d2b-7b9c0d4e1f2a',
      detectedAt: new Date(1764195243000).toISOString(),
      eventId: '1f2e3d4c-5b6a-4978-8a1b-2c3d4e5f6a7b',
    });
  });

  it('keeps the root user of a root-key item', () => {
    const incident = parseIncident(loadEvent('trusted-advisor-root'));

    expect(incident.userName).toBe('root');
    expect(incident.fraudType).toBe('Potentially compromised');
  });

  it('reads a suspected item (yellow: WARN, as Trusted Advisor rates a key suspected from irregular EC2 usage) that has no location', () => {
    const incident = parseIncident(loadEvent('trusted-advisor-suspected'));

    expect(incident.fraudType).toBe('Suspected');
    expect(incident.location).toBeNull();
    expect(incident.userName).toBe('ci-deployer');
  });

  it('falls back to the event time when Time Updated is absent', () => {
    const event = loadEvent('trusted-advisor-exposed');
    delete event.detail['check-item-detail']['Time Updated'];

    expect(parseIncident(event).detectedAt).toBe('2026-11-26T22:14:03.000Z');
  });

  it('treats an unknown fraud type as unknown rather than refusing the key', () => {
    const event = loadEvent('trusted-advisor-exposed');
    event.detail['check-item-detail']['Fraud Type'] = 'Leaked via carrier pigeon';

    expect(parseIncident(event).fraudType).toBeNull();
  });

  it.each([
    [
      'a missing key id',
      (e: any) => delete e.detail['check-item-detail']['Access Key ID'],
      'detail.check-item-detail.Access Key ID',
    ],
    [
      'a lowercase key id',
      (e: any) => {
        e.detail['check-item-detail']['Access Key ID'] = 'akiaiosfodnn7example';
      },
      'detail.check-item-detail.Access Key ID',
    ],
    [
      'a short key id',
      (e: any) => {
        e.detail['check-item-detail']['Access Key ID'] = 'AKIA123';
      },
      'detail.check-item-detail.Access Key ID',
    ],
    [
      'a key id with 0 and 1',
      (e: any) => {
        e.detail['check-item-detail']['Access Key ID'] = 'AKIA0000111100001111';
      },
      'detail.check-item-detail.Access Key ID',
    ],
    [
      'another check',
      (e: any) => {
        e.detail['check-name'] = 'Security Groups';
      },
      'detail.check-name',
    ],
    [
      'a status other than ERROR or WARN (OK: the key was dealt with)',
      (e: any) => {
        e.detail.status = 'OK';
      },
      'detail.status',
    ],
    [
      'a bad account',
      (e: any) => {
        e.account = '12345';
      },
      'account',
    ],
    ['no detail', (e: any) => delete e.detail, 'detail'],
    [
      'a wrong type for the key id',
      (e: any) => {
        e.detail['check-item-detail']['Access Key ID'] = 42;
      },
      'detail.check-item-detail.Access Key ID',
    ],
  ])('names the field at fault for %s', (_case, change, field) => {
    const event = loadEvent('trusted-advisor-exposed');
    change(event);

    expect(invalidField(event)).toBe(field);
  });
});

describe('parseIncident with AWS Health events', () => {
  it('reads a key that is only in affectedEntities', () => {
    const incident = parseIncident(loadEvent('health-exposed-entities-only'));

    expect(incident).toMatchObject({
      source: 'health',
      accessKeyId: 'AKIA2EXAMPLEHEALTH7Q',
      userName: null,
      location: null,
      fraudType: 'Exposed',
      detectedAt: '2026-11-26T19:40:00.000Z',
      eventId: '3b5c7d9e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
    });
    expect(incident.caseId).toMatch(/^arn:aws:health:global::event\/RISK\//);
  });

  it('reads the user and location from eventMetadata', () => {
    const incident = parseIncident(loadEvent('health-compromised-metadata'));

    expect(incident).toMatchObject({
      accessKeyId: 'AKIA3EXAMPLEMETADAT5',
      userName: 'build-bot',
      location: 'https://github.com/example-org/infra/commit/9f8e7d6',
      fraudType: 'Potentially compromised',
    });
  });

  it('finds the key in eventMetadata.publicKey alone', () => {
    const event = loadEvent('health-compromised-metadata');
    delete event.detail.affectedEntities;
    event.resources = [];

    expect(parseIncident(event).accessKeyId).toBe('AKIA3EXAMPLEMETADAT5');
  });

  it('acts on the one valid key when other places hold values that only look like keys, saying so', () => {
    const event = loadEvent('health-exposed-entities-only');
    event.detail.affectedEntities.push({ entityValue: 'Asia-ops' });
    event.resources = ['AKIAXXXXXXXXXX'];

    const incident = parseIncident(event);

    expect(incident.accessKeyId).toBe('AKIA2EXAMPLEHEALTH7Q');
    const notes = incident.notes?.join('\n') ?? '';
    expect(notes).toMatch(
      /detail\.affectedEntities\.1\.entityValue \(Asia-ops\) is not an access key id and was left out/,
    );
    expect(notes).toMatch(/resources\.0 \(AKIAXXXXXXXXXX\) is not an access key id/);
  });

  it('refuses an event where a value is another key but for its case: a second key, not a masked copy', () => {
    const event = loadEvent('health-exposed-entities-only');
    event.resources = ['akia3examplemetadat5'];

    expect(() => parseIncident(event)).toThrow(/AKIA2EXAMPLEHEALTH7Q, AKIA3EXAMPLEMETADAT5/);
  });

  it('notes a list or the metadata of another type, read as holding nothing', () => {
    const event = loadEvent('health-compromised-metadata');
    event.detail.affectedEntities = 'AKIA3EXAMPLEMETADAT5';

    const incident = parseIncident(event);

    expect(incident.accessKeyId).toBe('AKIA3EXAMPLEMETADAT5');
    expect(incident.notes?.join('\n')).toMatch(
      /detail\.affectedEntities is of another type than AWS gives, and was left out/,
    );
  });

  it.each([
    ['eventMetadata null', (e: any) => Object.assign(e.detail, { eventMetadata: null })],
    ['eventMetadata a string', (e: any) => Object.assign(e.detail, { eventMetadata: '{}' })],
    ['eventMetadata a list', (e: any) => Object.assign(e.detail, { eventMetadata: [] })],
    ['resources null', (e: any) => Object.assign(e, { resources: null })],
  ])('reads the key when a place that only describes the event is odd: %s', (_case, change) => {
    const event = loadEvent('health-exposed-entities-only');
    change(event);

    expect(parseIncident(event).accessKeyId).toBe('AKIA2EXAMPLEHEALTH7Q');
  });

  it('finds the key in eventMetadata.publicKey when affectedEntities is null', () => {
    const event = loadEvent('health-compromised-metadata');
    event.detail.affectedEntities = null;
    event.resources = null;

    expect(parseIncident(event).accessKeyId).toBe('AKIA3EXAMPLEMETADAT5');
  });

  it("takes the organisational view's affected account, trimmed, whatever the receiver's field holds", () => {
    const event = loadEvent('health-exposed-entities-only');
    event.detail.affectedAccount = ' 210987654321 ';
    event.account = '1234567890';

    const incident = parseIncident(event);

    expect(incident.accountId).toBe('210987654321');
    expect(incident.receivedBy).toBeUndefined();
    expect(incident.notes?.join('\n')).toMatch(/account \(the receiver\) is not an account id \(1234567890\)/);
  });

  it('takes an affected account given as a JSON number, its leading zeros back', () => {
    const event = loadEvent('health-exposed-entities-only');
    event.account = '987654321098';
    event.detail.affectedAccount = 12345678901;

    const incident = parseIncident(event);

    expect(incident.accountId).toBe('012345678901');
    expect(incident.receivedBy).toBe('987654321098');
  });

  it('reads no detection time from a day its month does not have, rather than the next month', () => {
    const event = loadEvent('health-exposed-entities-only');
    event.detail.startTime = 'Mon, 30 Feb 2026 10:00:00 GMT';
    event.time = '2026-02-30T10:00:00Z';

    const incident = parseIncident(event);

    expect(incident.detectedAt).not.toMatch(/^2026-03-02/);
    expect(incident.notes?.join('\n')).toMatch(/is not a date \(2026-02-30T10:00:00Z\)/);
  });

  it.each(Object.keys(HEALTH_RISK_CODES))('accepts %s', (code) => {
    const event = loadEvent('health-exposed-entities-only');
    event.detail.eventTypeCode = code;

    expect(parseIncident(event).fraudType).toBe(HEALTH_RISK_CODES[code as keyof typeof HEALTH_RISK_CODES]);
  });

  it('refuses an event that names two different keys, naming both', () => {
    const event = loadEvent('health-exposed-entities-only');
    event.detail.affectedEntities.push({ entityValue: 'AKIA3EXAMPLEMETADAT5' });

    expect(() => parseIncident(event)).toThrow(/AKIA2EXAMPLEHEALTH7Q, AKIA3EXAMPLEMETADAT5/);
  });

  it.each([
    [
      'another service',
      (e: any) => {
        e.detail.service = 'EC2';
      },
      'detail.service',
    ],
    [
      'another event code',
      (e: any) => {
        e.detail.eventTypeCode = 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED';
      },
      'detail.eventTypeCode',
    ],
    [
      'no key anywhere',
      (e: any) => {
        e.detail.affectedEntities = [{ entityValue: '123456789012' }];
      },
      'detail.affectedEntities',
    ],
    [
      'a lowercase key',
      (e: any) => {
        e.detail.affectedEntities = [{ entityValue: 'akia2examplehealth7q' }];
      },
      'detail.affectedEntities.0.entityValue',
    ],
  ])('names the field at fault for %s', (_case, change, field) => {
    const event = loadEvent('health-exposed-entities-only');
    change(event);

    expect(invalidField(event)).toBe(field);
  });
});

describe('parseIncident with fields that only describe the incident', () => {
  it('still reads the key when a display field is unusable, making it inert and saying what was left out', () => {
    const event = loadEvent('trusted-advisor-exposed');
    const item = event.detail['check-item-detail'];
    item.Location = `<script>alert(1)</script>\u001b]52;c;ZWNobyBoaQ==\u0007${'x'.repeat(300_000)}`;
    item['Time Updated'] = 'yesterday';
    item['User Name (IAM or Root)'] = 'alice\nbob';
    item['Case ID'] = '\u202Ecase';
    event.time = 'not a date';

    const incident = parseIncident(event);

    expect(incident.accessKeyId).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(incident.userName).toBeNull();
    expect(incident.location).toMatch(/^<script>alert\(1\)<\/script>\\x1B]52;c;ZWNobyBoaQ==\\x07x+…x+$/);
    expect([...(incident.location as string)].length).toBeLessThanOrEqual(2048);
    expect(incident.caseId).toBe('\\u202Ecase');
    const notes = incident.notes?.join('\n');
    expect(notes).toMatch(/User Name \(IAM or Root\) is not a valid IAM user name/);
    expect(notes).toMatch(/Time Updated is not epoch milliseconds/);
    expect(notes).toMatch(/^time is not a date/m);
  });

  it('caps and makes inert an event id of any size', () => {
    const event = loadEvent('trusted-advisor-exposed');
    event.id = `\r\n${'9'.repeat(300_000)}`;

    const incident = parseIncident(event);

    expect(incident.eventId.startsWith('\\x0D\\x0A999')).toBe(true);
    expect([...incident.eventId].length).toBeLessThanOrEqual(128);
  });

  it('reads the Health start time whatever it is, or falls back to the event time', () => {
    const event = loadEvent('health-exposed-entities-only');
    event.detail.startTime = '31/02/2026';
    event.detail.eventMetadata = { userName: ['x'] };

    const incident = parseIncident(event);

    expect(incident.detectedAt).toBe(new Date(event.time).toISOString());
    expect(incident.userName).toBeNull();
    expect(incident.notes).toHaveLength(2);
  });

  it.each(['1', '2026', 'tomorrow 5pm', 'Nov 26 2026'])(
    'does not take %j for a date, which Date.parse would read as some time',
    (startTime) => {
      const event = loadEvent('health-exposed-entities-only');
      event.detail.startTime = startTime;

      const incident = parseIncident(event);

      expect(incident.detectedAt).toBe(new Date(event.time).toISOString());
      expect(incident.notes?.join('\n')).toMatch(/detail\.startTime is not a date/);
    },
  );

  it('does not take epoch seconds for milliseconds in Time Updated', () => {
    const event = loadEvent('trusted-advisor-exposed');
    event.detail['check-item-detail']['Time Updated'] = '1764195243';

    const incident = parseIncident(event);

    expect(incident.detectedAt).toBe(new Date(event.time).toISOString());
    expect(incident.notes?.join('\n')).toMatch(/Time Updated is not epoch milliseconds/);
  });
});

describe('parseIncident with other input', () => {
  it.each([
    ['null', null, '(event)'],
    ['an array', [], '(event)'],
    ['a string', 'AKIAIOSFODNN7EXAMPLE', '(event)'],
    ['an event of another source', { source: 'aws.ec2' }, 'source'],
    ['an event with no source', { detail: {} }, 'source'],
  ])('refuses %s', (_case, event, field) => {
    expect(invalidField(event)).toBe(field);
  });
});
