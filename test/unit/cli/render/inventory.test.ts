import { describe, expect, it } from 'vitest';
import type { Palette } from '../../../../src/cli/output.js';
import { renderInventory } from '../../../../src/cli/render/inventory.js';
import type { Inventory, Leftover } from '../../../../src/steps/inventory/inventory-types.js';

/** A palette that marks its colours, so a test can read which line is which colour. */
const MARKED: Palette = {
  bold: (text) => text,
  dim: (text) => text,
  red: (text) => `<red>${text}`,
  green: (text) => text,
  yellow: (text) => `<yellow>${text}`,
  cyan: (text) => text,
  magenta: (text) => text,
};

function item(fields: Partial<Leftover> & Pick<Leftover, 'kind' | 'name' | 'state'>): Leftover {
  return { owner: null, region: null, note: null, command: '', ...fields };
}

describe('renderInventory', () => {
  it('shows the persistence kinds in red with their commands, and what was not checked in yellow, names inert', () => {
    const inventory: Inventory = {
      trustedAccounts: 'this-account',
      truncated: false,
      items: [
        item({
          kind: 'group-membership',
          name: 'Admins\u001b[2J',
          owner: 'alice',
          state: 'exists',
          command: 'aws iam remove-user-from-group --group-name Admins --user-name alice',
        }),
        item({
          kind: 'ssh-public-key',
          name: 'APKAEXAMPLE',
          owner: 'alice',
          state: 'exists',
          note: 'Active',
          command: 'aws iam delete-ssh-public-key --user-name alice --ssh-public-key-id APKAEXAMPLE',
        }),
        item({
          kind: 'unchecked-call',
          name: 'CreateFleet',
          region: 'eu-west-1',
          state: 'unknown',
          note: 'the record does not name what this call made: its records do',
          command:
            'aws cloudtrail lookup-events --region eu-west-1 --lookup-attributes AttributeKey=EventName,AttributeValue=CreateFleet',
        }),
        item({ kind: 'spot-fleet', name: 'sfr-1', region: 'eu-west-1', state: 'gone' }),
      ],
    };

    const lines = renderInventory(inventory, MARKED).split('\n');

    expect(lines.slice(2)).toEqual([
      '  <red>• group Admins\\x1B[2J with member alice: aws iam remove-user-from-group --group-name Admins --user-name alice',
      '  <red>• SSH public key APKAEXAMPLE of alice (Active): aws iam delete-ssh-public-key --user-name alice --ssh-public-key-id APKAEXAMPLE',
      '  <yellow>• NOT CHECKED: call CreateFleet in eu-west-1 (the record does not name what this call made: its records do): aws cloudtrail lookup-events --region eu-west-1 --lookup-attributes AttributeKey=EventName,AttributeValue=CreateFleet',
    ]);
    expect(lines[1]).toBe(
      '  2 thing(s) the attacker made still exist, 1 already removed, 0 secret(s) or parameter(s) read (or calls reading them in bulk), to rotate, 1 not checked.',
    );
  });
});
