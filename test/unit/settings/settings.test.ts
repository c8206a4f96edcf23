import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { MAX_LOOKBACK_HOURS } from '../../../src/constants.js';
import { loadTemplate } from '../../../src/deploy/template.js';
import {
  emailSchema,
  functionEnvironment,
  kmsKeySchema,
  lookbackHoursSchema,
  optionalRegionListSchema,
  RETENTION_DAYS,
  STACK_SETTINGS,
  type StackSetting,
  signingProfileArnSchema,
  trailKmsKeyArnSchema,
} from '../../../src/settings/settings.js';
import { CONTAINMENT_MODES } from '../../../src/steps/contain.js';

const settings = Object.values(STACK_SETTINGS) as StackSetting[];

describe('the stack settings', () => {
  it('are each declared by the template, with the same default', async () => {
    const template = await loadTemplate();

    for (const setting of settings)
      expect(String(template.Parameters?.[setting.parameter]?.Default), setting.parameter).toBe(setting.default);
  });

  it('reach the function that reads them, under the variable its settings read', async () => {
    const template = await loadTemplate();
    const variables = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .flatMap((resource) =>
        Object.entries(
          ((resource.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {}) as Record<
            string,
            unknown
          >,
        ),
      );

    for (const setting of settings.filter((each) => each.env))
      expect(variables, setting.parameter).toContainEqual([setting.env, { Ref: setting.parameter }]);
  });

  it('hold the same limits as the template: modes, hours and retention periods', async () => {
    const parameters = (await loadTemplate()).Parameters ?? {};

    expect(parameters.ContainmentMode?.AllowedValues).toEqual([...CONTAINMENT_MODES]);
    expect(parameters.LookbackHours).toMatchObject({ MinValue: 1, MaxValue: MAX_LOOKBACK_HOURS });
    expect(parameters.LogRetentionDays?.AllowedValues).toEqual([...RETENTION_DAYS]);
  });

  it('check the KMS keys, the signing profile and the e-mail with the same patterns as the template', async () => {
    const parameters = (await loadTemplate()).Parameters ?? {};
    const key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const profile = 'arn:aws:signer:us-east-1:123456789012:/signing-profiles/exposed_keys';
    const cases: [z.ZodType<unknown, string>, string, string[], string[]][] = [
      [
        kmsKeySchema,
        'KmsKey',
        ['', 'create', key, 'arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab'],
        ['alias/aws/sns', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'Create'],
      ],
      [
        trailKmsKeyArnSchema,
        'TrailKmsKeyArn',
        ['', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab', key],
        [
          'create',
          'alias/aws/s3',
          'arn:aws:kms:eu-west-1:111111111111:alias/trail',
          'arn:aws:kms:eu-west-1:1111:key/x',
        ],
      ],
      [
        emailSchema,
        'NotificationEmail',
        ['', 'security@example.com', 'sec+alerts@corp.example.co.uk'],
        // A control character SNS would refuse only once the stack is being made, rolling it back.
        ['not an address', 'security@example.com\u001b[2J', 'sec\u0007@example.com', 'sec@example.com\u009b'],
      ],
      [
        signingProfileArnSchema,
        'CodeSigningProfileArn',
        ['', profile, `${profile}/AbCdE12345`],
        ['exposed_keys', 'arn:aws:signer:eu-west-1:123456789012:/signing-profiles/exposed_keys', `${profile}/x`],
      ],
    ];

    for (const [schema, parameter, good, bad] of cases) {
      const pattern = new RegExp(String(parameters[parameter]?.AllowedPattern));
      for (const value of good)
        expect([schema.safeParse(value).success, pattern.test(value)], value).toEqual([true, true]);
      for (const value of bad)
        expect([schema.safeParse(value).success, pattern.test(value)], value).toEqual([false, false]);
    }
  });

  it('accept their own defaults', () => {
    for (const setting of settings) expect(setting.schema.safeParse(setting.default).success, setting.flag).toBe(true);
  });

  it('take decimal whole hours only, from 1 to 2160', () => {
    expect(lookbackHoursSchema.parse('2160')).toBe(2160);
    for (const text of ['0', '2161', '0x18', '1e3', '12.0', '', ' 5'])
      expect(lookbackHoursSchema.safeParse(text).success).toBe(false);
  });

  it('read an empty region list as every region, and name the regions at fault', () => {
    expect(optionalRegionListSchema.parse('')).toEqual([]);
    const failed = optionalRegionListSchema.safeParse('us-east-1,moon-1');
    expect(failed.success).toBe(false);
    expect(failed.error?.issues[0]?.message).toMatch(/; not "moon-1"$/);
  });
});

describe('functionEnvironment', () => {
  it("gives the functions the stack's parameters, and the template's defaults for the others", () => {
    expect(functionEnvironment({ ContainmentMode: 'deactivate', LookbackHours: '72' })).toEqual({
      CONTAINMENT_MODE: 'deactivate',
      DELETE_AFTER_DAYS: '7',
      VERIFY_AFTER_MINUTES: '30',
      REVOKE_SESSIONS: 'true',
      LOOKBACK_HOURS: '72',
      INVESTIGATE_REGIONS: '',
      SECURITY_HUB_FINDINGS: 'true',
      WEBHOOK_SECRET_ARN: '',
      ORGANIZATION_ID: '',
      RESPONDER_ROLE_NAME: 'exposed-keys-responder',
    });
  });
});
