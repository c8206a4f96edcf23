import { describe, expect, it } from 'vitest';
import { followsSessions, investigationExitCode, searchedWith } from '../../../src/cli/run/investigate.js';
import { ExitCode } from '../../../src/errors.js';
import type { Inventory, Leftover } from '../../../src/steps/inventory/inventory-types.js';

function inventoryOf(...items: Partial<Leftover>[]): Inventory {
  return {
    items: items.map((item) => ({
      kind: 'access-key',
      name: 'AKIAIOSFODNN7EXAMPLE',
      owner: 'bob',
      region: null,
      state: 'exists',
      note: null,
      command: 'aws iam delete-access-key --user-name bob --access-key-id AKIAIOSFODNN7EXAMPLE',
      ...item,
    })),
    trustedAccounts: 'this-account',
    truncated: false,
  };
}

describe('the exit code of investigate', () => {
  it('is 4 when the inventory found a way in the attacker made that outlives the key, as the README says', () => {
    expect(investigationExitCode({ inventory: inventoryOf({}) }, false)).toBe(ExitCode.needsHuman);
  });

  it('is 0 when what it made is gone, or no inventory was taken', () => {
    expect(investigationExitCode({ inventory: inventoryOf({ state: 'gone' }) }, false)).toBe(ExitCode.ok);
    expect(investigationExitCode({}, false)).toBe(ExitCode.ok);
  });

  it('is 3 when the inventory asked for could not be taken', () => {
    expect(investigationExitCode({ inventory: { ...inventoryOf(), error: 'AccessDenied' } }, false)).toBe(
      ExitCode.awsFailed,
    );
  });

  it('is 3 when the check of an item failed, even if all else is gone: the inventory cannot vouch for it', () => {
    expect(
      investigationExitCode(
        {
          inventory: inventoryOf(
            { state: 'gone' },
            { state: 'unknown', checkFailed: true, note: 'could not check: AccessDenied' },
          ),
        },
        false,
      ),
    ).toBe(ExitCode.awsFailed);
    // An item unknown by nature (a call whose record names nothing) is no failure.
    expect(investigationExitCode({ inventory: inventoryOf({ state: 'unknown', kind: 'unchecked-call' }) }, false)).toBe(
      ExitCode.ok,
    );
  });

  it('is 3 when the inventory was taken from a search that left a region out or was cut short', () => {
    const basis = (regionsNotSearched: string[], searchCutShort: boolean) => ({
      inventory: { ...inventoryOf({ state: 'gone' }), basis: { regionsNotSearched, searchCutShort } },
    });
    expect(investigationExitCode(basis(['eu-west-1'], false), false)).toBe(ExitCode.awsFailed);
    expect(investigationExitCode(basis([], true), false)).toBe(ExitCode.awsFailed);
    expect(investigationExitCode(basis([], false), false)).toBe(ExitCode.ok);
  });

  it('is 3 when a log file could not be read, for the key or a session key, though its region was searched', () => {
    const regions = { searched: ['us-east-1'], failed: [] };
    const filesNotRead = { count: 1, files: [{ path: 's3://trail/k.json.gz', error: 's3:GetObject failed: KMS' }] };

    expect(investigationExitCode({ activity: { regions, filesNotRead } }, false)).toBe(ExitCode.awsFailed);
    expect(investigationExitCode({ activity: { regions }, sessionActivity: [{ regions, filesNotRead }] }, false)).toBe(
      ExitCode.awsFailed,
    );
    expect(investigationExitCode({ activity: { regions } }, false)).toBe(ExitCode.ok);
  });

  it('is 3 when one region could not be searched while others were, for the key or a session key, as for respond', () => {
    const read = { regions: { searched: ['us-east-1', 'eu-west-1'], failed: [] } };
    const partly = {
      regions: { searched: ['us-east-1'], failed: [{ region: 'eu-west-1', error: 'AccessDenied' }] },
    };

    expect(investigationExitCode({ activity: partly }, false)).toBe(ExitCode.awsFailed);
    expect(investigationExitCode({ activity: read, sessionActivity: [partly] }, false)).toBe(ExitCode.awsFailed);
    expect(investigationExitCode({ activity: read, sessionActivity: [read] }, false)).toBe(ExitCode.ok);
  });

  it('is 130 when stopped with Ctrl-C', () => {
    expect(investigationExitCode({ inventory: inventoryOf({}) }, true)).toBe(ExitCode.interrupted);
  });
});

describe('the second hop of investigate', () => {
  it('is taken by default, left out with --json alone, and never left out by default for an inventory', () => {
    expect(followsSessions({})).toBe(true);
    expect(followsSessions({ json: true })).toBe(false);
    expect(followsSessions({ json: true, inventory: true })).toBe(true);
    expect(followsSessions({ json: true, inventory: true, followSessions: false })).toBe(false);
    expect(followsSessions({ followSessions: false })).toBe(false);
  });

  it('is 3 when a session key the key minted could not be searched at all, as for respond', () => {
    const read = { regions: { searched: ['us-east-1'], failed: [] } };
    const unread = {
      regions: { searched: [], failed: [{ region: 'athena:db.t', error: 'Query exhausted resources' }] },
    };

    expect(investigationExitCode({ activity: read, sessionActivity: [read, unread] }, false)).toBe(ExitCode.awsFailed);
    expect(investigationExitCode({ activity: read, sessionActivity: [read] }, false)).toBe(ExitCode.ok);
  });

  it('is 3 when session keys minted were left out, past the ones followed or out of time', () => {
    const read = { regions: { searched: ['us-east-1'], failed: [] } };
    const left = {
      count: 1,
      keys: [{ accessKeyId: 'ASIAIOSFODNN7EXAMPLE', mintedBy: 'AKIAIOSFODNN7EXAMPLE', reason: 'limit' as const }],
    };

    expect(
      investigationExitCode({ activity: read, sessionActivity: [read], sessionKeysNotSearched: left }, false),
    ).toBe(ExitCode.awsFailed);
  });
});

describe('the flags that name where investigate read, for the command that searches again', () => {
  it('names the log files, the Athena table or the member account, each one shell word', () => {
    expect(searchedWith({})).toBe('');
    expect(searchedWith({ logs: { location: '/srv/trail logs' } })).toBe(" --logs '/srv/trail logs'");
    expect(
      searchedWith({
        athena: { table: { database: 'cloudtrail', table: 'events' }, workgroup: 'ir', outputLocation: 's3://r/x/' },
      }),
    ).toBe(' --athena-table cloudtrail.events --workgroup ir --athena-output s3://r/x/');
    expect(searchedWith({ account: { accountId: '210987654321', roleName: 'exposed-keys-responder' } })).toBe(
      ' --account 210987654321',
    );
    expect(searchedWith({ account: { accountId: '210987654321', roleName: 'ir-role' } })).toBe(
      ' --account 210987654321 --role-name ir-role',
    );
  });
});
