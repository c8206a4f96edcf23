import { describe, expect, it } from 'vitest';
import { unsearchableHint } from '../../../../src/activity/athena/unsearchable-hint.js';
import { AthenaQueryError, AwsCallError, CredentialsError } from '../../../../src/errors.js';

const CONTEXT = { table: 'cloudtrail.events', flag: '--athena-table' };

describe('unsearchableHint', () => {
  it('names the command an Athena error gives: reading the results of a query whose answer was lost', () => {
    const lost = new AthenaQueryError('q-1', 'SUCCEEDED', 'Athena query q-1 succeeded, but…', {
      hint: 'Read them with: aws athena get-query-results --query-execution-id q-1',
      cause: new AwsCallError('athena:GetQueryResults', 'ThrottlingException', 'Rate exceeded'),
    });

    expect(unsearchableHint({ error: lost }, CONTEXT)).toBe(
      'Read them with: aws athena get-query-results --query-execution-id q-1',
    );
  });

  it('says to log in again when the credentials were refused, even under an Athena error', () => {
    const expired = new AthenaQueryError('q-1', 'SUCCEEDED', 'Athena query q-1 succeeded, but…', {
      hint: 'Read them with: aws athena get-query-results --query-execution-id q-1',
      cause: new CredentialsError('athena:GetQueryResults was refused: ExpiredTokenException: expired'),
    });

    expect(unsearchableHint({ error: expired }, CONTEXT)).toMatch(/^Log in again/);
  });

  it('says to search elsewhere when the table holds nothing asked for', () => {
    expect(unsearchableHint('nothing-held', CONTEXT)).toMatch(
      /^cloudtrail\.events holds nothing asked for .*LookupEvents \(without --athena-table\)/,
    );
  });

  it('names the permissions to check, and LookupEvents, for any other failure or none known', () => {
    const denied = new AwsCallError('athena:StartQueryExecution', 'AccessDeniedException', 'not authorized');

    for (const shortfall of [{ error: denied }, undefined])
      expect(unsearchableHint(shortfall, CONTEXT)).toMatch(
        /athena:StartQueryExecution, glue:GetTable.*LookupEvents \(without --athena-table\)/,
      );
  });
});
