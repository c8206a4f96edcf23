import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/errors.js';
import { readContainConfig, readInvestigateConfig, readNotifyConfig } from '../../../src/settings/function-settings.js';

describe('the settings each function reads at cold start', () => {
  it("take the template's defaults when a variable is not set", () => {
    expect(readContainConfig({})).toEqual({ mode: 'delete', revokeSessions: true });
    expect(readInvestigateConfig({})).toEqual({ lookbackHours: 24, regions: [] });
  });

  it('read the values the stack passes', () => {
    expect(readContainConfig({ CONTAINMENT_MODE: 'notify-only', REVOKE_SESSIONS: 'false' })).toEqual({
      mode: 'notify-only',
      revokeSessions: false,
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
      [() => readNotifyConfig({}), /TOPIC_ARN=null: is required/],
      [() => readNotifyConfig({ TOPIC_ARN: 'topic' }), /TOPIC_ARN="topic": must be an SNS topic ARN/],
    ];
    for (const [read, message] of cases) {
      expect(read).toThrow(ConfigurationError);
      expect(read).toThrow(message);
    }
  });
});
