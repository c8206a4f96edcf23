import { describe, expect, it } from 'vitest';
import { InvalidEventError, SeveralKeysError } from '../../../src/errors.js';
import { parseIncident } from '../../../src/incident/parse-incident.js';
import { publishedEvent, withKey } from '../../support/published.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';

function refusal(event: unknown): InvalidEventError {
  try {
    parseIncident(event);
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected the event to be refused');
}

describe('events published by others', () => {
  it("reads AWS's Trusted Advisor sample, a location without a scheme and times in epoch milliseconds", () => {
    const event = withKey(publishedEvent('ta-exposed-keys-readme-envelope'), 'ACCESS_KEY_ID_HERE', KEY);

    expect(parseIncident(event)).toMatchObject({
      source: 'trusted-advisor',
      accountId: '111222333444',
      accessKeyId: KEY,
      userName: 'test-user',
      location: 'www.github.com/some_user/some_repo/some_file',
      fraudType: 'Exposed',
      detectedAt: new Date(1497064411198).toISOString(),
    });
  });

  it('refuses the sample as published, naming the placeholder where a key id should be', () => {
    const error = refusal(publishedEvent('ta-exposed-keys-readme-envelope'));

    expect(error.field).toBe('detail.check-item-detail.Access Key ID');
    expect(error.message).toMatch(/ACCESS_KEY_ID_HERE/);
  });

  it('refuses the shapes that are not delivered events: a bare detail, PutEvents entries', () => {
    expect(refusal(publishedEvent('ta-exposed-keys-readme-2017-detail-only')).field).toBe('source');
    expect(refusal(publishedEvent('ta-exposed-keys-stepbystep-mockpayload-putevents')).field).toBe('(event)');
    expect(refusal(publishedEvent('ta-exposed-keys-stepbystep-readme-putevents-placeholders')).field).toBe('(event)');
    // An invented shape: no envelope (id, account) around a made-up detail.
    expect(refusal(publishedEvent('health-risk-credentials-exposed-notify-and-remediate-early-invented')).field).toBe(
      'id',
    );
  });

  it("reads AWS's Health sample: the key only in the affected entities, an RFC 1123 start time", () => {
    const event = withKey(
      publishedEvent('health-risk-credentials-exposed-aws-health-tools-readme'),
      'ACCESS_KEY_ID_HERE',
      KEY,
    );

    expect(parseIncident(event)).toMatchObject({
      source: 'health',
      accountId: '123456789012',
      accessKeyId: KEY,
      userName: null,
      location: null,
      detectedAt: '2016-06-05T15:10:09.000Z',
      eventId: '121345678-1234-1234-1234-123456789012',
    });
  });

  it("takes the key's account from affectedAccount in the organisational view, and names the receiver", () => {
    const event = withKey(
      publishedEvent('health-risk-credentials-exposed-org-affectedaccount-hmrc'),
      'ACCESS_KEY_ID_HERE',
      KEY,
    );

    expect(parseIncident(event)).toMatchObject({ accountId: '123456789012', receivedBy: '987654321098' });
  });

  it('reads the user and where the key was found from eventMetadata (publicKey, userName, exposedUrl)', () => {
    const published = publishedEvent('health-risk-credentials-exposed-eventmetadata-notify-and-remediate');
    // The sample is redacted: a 14-character key and a 10-digit account stand where real ones are.
    const event = withKey({ ...published, account: '123456789012' }, 'AKIAXXXXXXXXXX', KEY);

    expect(parseIncident(event)).toMatchObject({
      accountId: '123456789012',
      accessKeyId: KEY,
      userName: 'test-1',
      location: 'https://github.com/repository_name',
      detectedAt: '2025-02-12T00:37:54.000Z',
    });
    // affectedAccount holds the key id there, not an account: it is not taken for one, and a note says so.
    expect(parseIncident(event).receivedBy).toBeUndefined();
    expect(parseIncident(event).notes).toEqual([
      expect.stringMatching(/^detail\.affectedAccount is not an account id/),
    ]);
  });

  it('refuses the redacted sample as published, naming its 14-character key', () => {
    const error = refusal(publishedEvent('health-risk-credentials-exposed-eventmetadata-notify-and-remediate'));

    expect(error.field).toBe('detail.eventMetadata.publicKey');
    expect(error.message).toMatch(/20 characters/);
  });

  it('names every key of an event that names several, with the command for each', () => {
    const event = withKey(
      publishedEvent('health-risk-credentials-exposed-aws-health-tools-readme'),
      'ACCESS_KEY_ID_HERE',
      KEY,
    );
    event.detail.affectedEntities.push({ entityValue: 'AKIAI44QH8DHBEXAMPLE'.replace('8', '2') });

    const error = refusal(event);

    expect(error).toBeInstanceOf(SeveralKeysError);
    expect((error as SeveralKeysError).keys).toEqual(['AKIAI44QH2DHBEXAMPLE', KEY]);
    expect(error.hint).toMatch(
      /exposed-keys respond --key AKIAI44QH2DHBEXAMPLE; exposed-keys respond --key AKIAIOSFODNN7EXAMPLE/,
    );
  });
});
