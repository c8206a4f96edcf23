import { describe, expect, it } from 'vitest';
import { recipientAccountOf } from '../../../../src/activity/log-files/recipient-account.js';
import { loadInvictusRecords } from '../../../support/fixtures.js';

const text = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('recipientAccountOf', () => {
  it('reads the account that received the last record of a published delivery', () => {
    expect(recipientAccountOf(text({ Records: loadInvictusRecords().slice(0, 50) }))).toBe('123837392027');
  });

  it('takes the last record’s, and white space around the colon', () => {
    const delivery = Buffer.from(
      '{"Records":[{"eventID":"a","recipientAccountId":"111111111111"},\n{"eventID":"b","recipientAccountId" : "222222222222"}]}',
    );

    expect(recipientAccountOf(delivery)).toBe('222222222222');
  });

  it('does not take the name written inside a string, such as a user agent an attacker chose', () => {
    const delivery = text({
      Records: [{ recipientAccountId: '111111111111', userAgent: '"recipientAccountId":"999999999999"' }],
    });

    expect(recipientAccountOf(delivery)).toBe('111111111111');
  });

  it('answers null for a text that names none, or a value that is not an account id', () => {
    expect(recipientAccountOf(text({ Records: [{ eventID: 'a' }] }))).toBeNull();
    expect(recipientAccountOf(text({ Records: [{ recipientAccountId: '12345' }] }))).toBeNull();
    expect(recipientAccountOf(Buffer.alloc(0))).toBeNull();
  });
});
