import { describe, expect, it } from 'vitest';
import { withSessionAccounts } from '../../../../src/cli/run/athena-source.js';

describe('withSessionAccounts: the accounts an Athena read covers when --accounts is given', () => {
  it('reads the accounts given for the key, and adds the accounts of the session keys it minted', async () => {
    const asked: string[][] = [];
    const accountsOf = withSessionAccounts(['111111111111'], async (ids) => {
      asked.push([...ids]);
      return ['222222222222'];
    });

    expect(await accountsOf(['AKIAIOSFODNN7EXAMPLE'])).toEqual(['111111111111']);
    expect(asked).toEqual([]);
    expect(await accountsOf(['ASIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'])).toEqual([
      '111111111111',
      '222222222222',
    ]);
    expect(asked).toEqual([['ASIAIOSFODNN7EXAMPLE']]);
  });

  it('fails when the session keys’ accounts cannot be told, rather than read only the accounts given', async () => {
    const accountsOf = withSessionAccounts(['111111111111'], async () => {
      throw new Error('sts:GetAccessKeyInfo failed');
    });

    await expect(accountsOf(['ASIAIOSFODNN7EXAMPLE'])).rejects.toThrow(/GetAccessKeyInfo/);
  });
});
