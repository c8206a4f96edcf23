import { describe, expect, it } from 'vitest';
import { OutsideOrganizationError } from '../../../src/organization/organization-errors.js';

describe('OutsideOrganizationError', () => {
  it('names the organisation the account is not a member of', () => {
    expect(new OutsideOrganizationError('210987654321', 'o-exampleorg1').message).toBe(
      'Account 210987654321 is not a member of organization o-exampleorg1; the hub does not act there.',
    );
  });

  it('says the caller is in no organisation, rather than name an organisation "(none)"', () => {
    expect(new OutsideOrganizationError('210987654321', null).message).toBe(
      "Account 210987654321 is another account, and the caller's account is in no organization: no hub acts there.",
    );
  });
});
