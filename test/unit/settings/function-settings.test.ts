import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/errors.js';
import {
  readContainConfig,
  readInvestigateConfig,
  readNotifyConfig,
  readUndeliveredConfig,
} from '../../../src/settings/function-settings.js';

describe('the settings each function reads at cold start', () => {
  it("take the template's defaults when a variable is not set", () => {
    expect(readContainConfig({})).toEqual({
      mode: 'delete',
      revokeSessions: true,
      deleteAfterDays: 7,
      verifyAfterMinutes: 30,
      schedule: null,
    });
    expect(readInvestigateConfig({})).toEqual({ lookbackHours: 24, regions: [] });
  });

  it('read the values the stack passes', () => {
    expect(
      readContainConfig({
        CONTAINMENT_MODE: 'deactivate-then-delete',
        REVOKE_SESSIONS: 'false',
        DELETE_AFTER_DAYS: '14',
        VERIFY_AFTER_MINUTES: '0',
        SCHEDULE_GROUP: 'exposed-keys',
        SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/exposed-keys-SchedulerRole-1',
        UNDELIVERED_QUEUE_ARN: 'arn:aws:sqs:us-east-1:123456789012:exposed-keys-UndeliveredQueue-1',
      }),
    ).toEqual({
      mode: 'deactivate-then-delete',
      revokeSessions: false,
      deleteAfterDays: 14,
      verifyAfterMinutes: 0,
      schedule: {
        groupName: 'exposed-keys',
        roleArn: 'arn:aws:iam::123456789012:role/exposed-keys-SchedulerRole-1',
        deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:exposed-keys-UndeliveredQueue-1',
      },
    });
    expect(readInvestigateConfig({ LOOKBACK_HOURS: '72', INVESTIGATE_REGIONS: 'us-east-1, eu-west-1' })).toEqual({
      lookbackHours: 72,
      regions: ['us-east-1', 'eu-west-1'],
    });
  });

  it('fail at once, naming the variable, its value and the rule, by the same rules as the CLI', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => readContainConfig({ CONTAINMENT_MODE: 'destroy' }), /CONTAINMENT_MODE="destroy": must be one of delete/],
      [
        () => readInvestigateConfig({ LOOKBACK_HOURS: '0x18' }),
        /LOOKBACK_HOURS="0x18": must be a whole number from 1 to 2160/,
      ],
      [
        () => readInvestigateConfig({ INVESTIGATE_REGIONS: 'mars-1' }),
        /INVESTIGATE_REGIONS="mars-1": .*; not "mars-1"/,
      ],
      [
        () => readContainConfig({ DELETE_AFTER_DAYS: '0' }),
        /DELETE_AFTER_DAYS="0": must be a whole number of days from 1 to 365/,
      ],
      [() => readContainConfig({ VERIFY_AFTER_MINUTES: '-5' }), /VERIFY_AFTER_MINUTES="-5": must be a whole number/],
      [() => readContainConfig({ SCHEDULE_GROUP: 'exposed-keys' }), /SCHEDULER_ROLE_ARN=null: is required/],
      [
        () =>
          readContainConfig({
            SCHEDULE_GROUP: 'exposed-keys',
            SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/r',
            UNDELIVERED_QUEUE_ARN: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
          }),
        /UNDELIVERED_QUEUE_ARN="https:.*": must be an SQS queue ARN/,
      ],
      [() => readNotifyConfig({}), /TOPIC_ARN=null: is required/],
      [() => readUndeliveredConfig({}), /dead-letter alert function is misconfigured: TOPIC_ARN=null: is required/],
      [
        () => readUndeliveredConfig({ TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t' }),
        /STATE_MACHINE_ARN=null: is required/,
      ],
      [() => readNotifyConfig({ TOPIC_ARN: 'topic' }), /TOPIC_ARN="topic": must be an SNS topic ARN/],
    ];
    for (const [read, message] of cases) {
      expect(read).toThrow(ConfigurationError);
      expect(read).toThrow(message);
    }
  });
});
