import { describe, expect, it } from 'vitest';
import { refuseWithoutOrg } from '../../../src/cli/command-kit.js';
import { parseFlag } from '../../../src/cli/options.js';
import { simulateRequest } from '../../../src/cli/simulate-flags.js';
import { InvalidInputError } from '../../../src/errors.js';
import { operatorRoleArnsSchema } from '../../../src/settings/settings.js';

describe('the flags of organisation mode', () => {
  it('refuses each flag that only means something with --org, naming it, before any call', () => {
    for (const [flags, flag] of [
      [{ targets: 'r-abcd' }, '--targets'],
      [{ managementProfile: 'management' }, '--management-profile'],
      [{ roleName: 'responder' }, '--role-name'],
      [{ operatorRoleArns: 'arn:aws:iam::123456789012:role/ir' }, '--operator-role-arns'],
    ] as const) {
      const call = () => refuseWithoutOrg({ stackSetName: 'exposed-keys-members', ...flags });
      expect(call).toThrow(InvalidInputError);
      expect(call).toThrow(new RegExp(`^${flag} applies to organisation mode: add --org\\.$`));
    }
    expect(() => refuseWithoutOrg({ org: true, stackSetName: 's', roleName: 'responder' })).not.toThrow();
  });

  it('reads operator roles as role ARNs, stars allowed in the name, and refuses anything else', () => {
    expect(
      operatorRoleArnsSchema.parse(
        'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_IR_*, arn:aws:iam::123456789012:role/ir',
      ),
    ).toEqual([
      'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_IR_*',
      'arn:aws:iam::123456789012:role/ir',
    ]);
    for (const bad of ['', 'ir-role', 'arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::12345:role/ir'])
      expect(operatorRoleArnsSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('refuses a wildcard wider than the end of a role’s name, saying what to give instead', () => {
    const hub = 'arn:aws:iam::123456789012:role';
    expect(operatorRoleArnsSchema.parse(`${hub}/ir-*,${hub}/team/ir-oncall*`)).toEqual([
      `${hub}/ir-*`,
      `${hub}/team/ir-oncall*`,
    ]);

    for (const wide of [
      `${hub}/*`,
      `${hub}/aws-reserved/sso.amazonaws.com/*`,
      `${hub}/*-admin`,
      `${hub}/ir*x`,
      `${hub}/*/ir`,
    ]) {
      const call = () => parseFlag(operatorRoleArnsSchema, `${hub}/ir,${wide}`, '--operator-role-arns');
      expect(call, wide).toThrow(InvalidInputError);
      expect(call, wide).toThrow(
        `not ${JSON.stringify(wide)}: give each role's ARN, or the start of its name followed by *.`,
      );
      expect(call, wide).not.toThrow(`"${hub}/ir"`);
    }
  });

  it('refuses a test user made in a member account, which the responder role may not create', () => {
    expect(() =>
      simulateRequest({
        source: 'trusted-advisor',
        createTestUser: true,
        wait: true,
        stackName: 'exposed-keys',
        account: '210987654321',
        roleName: 'exposed-keys-responder',
      }),
    ).toThrow(/^--create-test-user makes a user with your own credentials/);
  });
});
