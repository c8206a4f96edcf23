import { describe, expect, it } from 'vitest';
import { parseAccount } from '../../../src/cli/options.js';
import { InvalidInputError } from '../../../src/errors.js';

describe('parseAccount (--account, --role-name)', () => {
  it('acts in the caller’s own account without --account', () => {
    expect(parseAccount({})).toEqual({});
  });

  it('refuses --role-name without --account, which would leave it unused', () => {
    expect(() => parseAccount({ roleName: 'exposed-keys-responder' })).toThrow(
      /^--role-name applies to --account: add --account/,
    );
  });

  it('names the member account and its responder role, by default exposed-keys-responder', () => {
    expect(parseAccount({ account: '210987654321', roleName: 'ir-responder' })).toEqual({
      account: { accountId: '210987654321', roleName: 'ir-responder' },
    });
    expect(parseAccount({ account: '210987654321' })).toEqual({
      account: { accountId: '210987654321', roleName: 'exposed-keys-responder' },
    });
  });

  it('refuses an account id that is not 12 digits, and a role name IAM would refuse, naming the flag', () => {
    for (const [flags, flag] of [
      [{ account: '2109876543', roleName: 'exposed-keys-responder' }, '--account'],
      [{ account: 'arn:aws:iam::210987654321:root', roleName: 'exposed-keys-responder' }, '--account'],
      [{ account: '210987654321', roleName: 'role/with/slashes' }, '--role-name'],
    ] as const) {
      expect(() => parseAccount(flags)).toThrow(InvalidInputError);
      expect(() => parseAccount(flags)).toThrow(new RegExp(`^${flag} `));
    }
  });
});
