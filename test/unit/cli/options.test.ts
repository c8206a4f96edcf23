import { afterEach, describe, expect, it } from 'vitest';
import { cliSdkLogger } from '../../../src/aws/cli-sdk-logger.js';
import {
  awsContext,
  parseAccessKeyId,
  parseMode,
  parseRegions,
  parseTopicArn,
  parseWindow,
  resolveRegion,
  stackRegion,
} from '../../../src/cli/options.js';
import { InvalidInputError, WrongRegionError } from '../../../src/errors.js';

const NOW = new Date('2026-11-27T12:00:00Z');
const savedRegion = process.env.AWS_REGION;
afterEach(() => {
  process.env.AWS_REGION = savedRegion;
});

function refusal(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected an InvalidInputError');
}

describe('the options of the commands', () => {
  it('read --hours as a decimal whole number of the hours LookupEvents keeps', () => {
    expect(parseWindow({ hours: '72' }, NOW)).toEqual({ start: new Date('2026-11-24T12:00:00Z'), end: NOW });
    for (const hours of ['0', '2161', '1.5', '0x18', '1e2', '-3', ' 24'])
      expect(refusal(() => parseWindow({ hours }, NOW)).message).toMatch(
        /^--hours must be a whole number from 1 to 2160 \(90 days\), not ".*"\.$/,
      );
  });

  it('default to the 24 hours before --end, and refuse a start after the end', () => {
    expect(parseWindow({ end: '2026-11-27T00:00:00Z' }, NOW)).toEqual({
      start: new Date('2026-11-26T00:00:00Z'),
      end: new Date('2026-11-27T00:00:00Z'),
    });
    expect(refusal(() => parseWindow({ start: '2026-11-28', end: '2026-11-27' }, NOW)).field).toBe('--start');
    expect(refusal(() => parseWindow({ hours: '1', end: '2026-11-27' }, NOW)).field).toBe('--hours');
    expect(refusal(() => parseWindow({ start: '11/27/2026' }, NOW)).message).toMatch(/ISO 8601/);
    expect(refusal(() => parseWindow({ start: '2026-02-30' }, NOW)).message).toMatch(/not a date that exists/);
    expect(refusal(() => parseWindow({ start: '2026-11-26T23:60' }, NOW)).message).toMatch(/not a date that exists/);
  });

  it('read a time without a zone as UTC, as a date alone is, whatever the zone of the machine', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const window = parseWindow({ start: '2026-11-26T00:00', end: '2026-11-26 12:00:00' }, NOW);
      const zoned = parseWindow({ start: '2026-11-26T00:00+01:00', end: '2026-11-26' }, NOW);

      expect(window).toEqual({ start: new Date('2026-11-26T00:00:00Z'), end: new Date('2026-11-26T12:00:00Z') });
      expect(zoned).toEqual({ start: new Date('2026-11-25T23:00:00Z'), end: new Date('2026-11-26T00:00:00Z') });
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('take both ends of the window as given, even the same instant', () => {
    const instant = '2026-11-26T10:00:00Z';
    expect(parseWindow({ start: instant, end: instant }, NOW)).toEqual({
      start: new Date(instant),
      end: new Date(instant),
    });
    expect(parseWindow({ start: '2024-02-29', end: '2024-03-01' }, NOW).start).toEqual(
      new Date('2024-02-29T00:00:00Z'),
    );
  });

  it('refuse a window that has not begun, which would be found quiet, and search one that reaches past now until now', () => {
    const ahead = refusal(() => parseWindow({ start: '2027-11-26' }, NOW));
    expect(ahead.field).toBe('--start');
    expect(ahead.message).toBe(
      '--start "2027-11-26" is in the future: nothing can have happened yet. Check the date (now is 2026-11-27T12:00:00.000Z).',
    );
    // An --end ahead alone: the 24 hours before now, not before the end asked.
    expect(parseWindow({ end: '2027-11-27' }, NOW)).toEqual({ start: new Date('2026-11-26T12:00:00Z'), end: NOW });
    expect(parseWindow({ start: '2026-11-27T06:00:00Z', end: '2027-11-27' }, NOW)).toEqual({
      start: new Date('2026-11-27T06:00:00Z'),
      end: NOW,
    });
    expect(parseWindow({ end: '2026-11-28T00:00:00Z' }, NOW)).toEqual({
      start: new Date('2026-11-26T12:00:00Z'),
      end: NOW,
    });
    expect(parseWindow({ start: NOW.toISOString() }, NOW)).toEqual({ start: NOW, end: NOW });
  });

  it('name the regions at fault in --regions, once each', () => {
    expect(parseRegions('us-east-1, eu-west-1,us-east-1')).toEqual(['us-east-1', 'eu-west-1']);
    expect(refusal(() => parseRegions('us-east-1,mars-1')).message).toBe(
      '--regions must be region names separated by commas (e.g. us-east-1,eu-west-1); not "mars-1".',
    );
    expect(refusal(() => parseRegions(' , ')).message).toMatch(/^--regions must be region names.*, not " , "\.$/);
  });

  it('check --mode and --topic by the same rules the stack parameters obey', () => {
    expect(parseMode(undefined)).toBe('delete');
    expect(parseMode('notify-only')).toBe('notify-only');
    expect(refusal(() => parseMode('destroy')).message).toBe(
      '--mode must be one of delete, deactivate, deactivate-then-delete, notify-only, not "destroy".',
    );
    expect(parseTopicArn('arn:aws:sns:eu-west-1:123456789012:alerts')).toBe(
      'arn:aws:sns:eu-west-1:123456789012:alerts',
    );
    expect(refusal(() => parseTopicArn('alerts')).field).toBe('--topic');
  });

  it('accept only real key ids for changes, and anonymised ones for reading', () => {
    expect(parseAccessKeyId('AKIATFQR7NSC8Q4X20BJ', { readOnly: true })).toBe('AKIATFQR7NSC8Q4X20BJ');
    expect(refusal(() => parseAccessKeyId('AKIATFQR7NSC8Q4X20BJ')).field).toBe('--key');
    expect(refusal(() => parseAccessKeyId(undefined)).message).toMatch(/required/);
  });

  it('refuse a region that is not one, and any region but us-east-1 for the stack', () => {
    process.env.AWS_REGION = 'eu-west-1';
    expect(resolveRegion({})).toBe('eu-west-1');
    expect(() => stackRegion({})).toThrow(WrongRegionError);
    expect(refusal(() => resolveRegion({ region: 'US-EAST-1' })).field).toBe('--region');
  });

  it('take AWS_DEFAULT_REGION when AWS_REGION is unset, and name both in the wrong-region hint', () => {
    delete process.env.AWS_REGION;
    process.env.AWS_DEFAULT_REGION = 'eu-west-1';
    try {
      expect(resolveRegion({})).toBe('eu-west-1');
      expect(() => stackRegion({})).toThrow(
        expect.objectContaining({ hint: expect.stringMatching(/unset AWS_REGION and AWS_DEFAULT_REGION/) }),
      );
    } finally {
      delete process.env.AWS_DEFAULT_REGION;
    }
  });

  it("give the clients the CLI's logger for the SDK's own messages, and the profile", () => {
    expect(awsContext({ profile: 'incident' }, 'us-east-1')).toEqual({
      region: 'us-east-1',
      profile: 'incident',
      logger: cliSdkLogger,
    });
  });

  it('turn --timeout into milliseconds, from 1 to 300 seconds', () => {
    expect(awsContext({ timeout: '5' }, 'us-east-1')).toMatchObject({ region: 'us-east-1', requestTimeoutMs: 5000 });
    for (const timeout of ['0', '301', 'soon', '0x10'])
      expect(refusal(() => awsContext({ timeout }, 'us-east-1')).field).toBe('--timeout');
  });
});
