import { codePointLength, inert, shownText, shownValue } from '../common/untrusted-text.js';
import {
  COMMAND_SHOWN,
  type Inventory,
  type InventoryBasis,
  type Leftover,
  type LeftoverKind,
} from '../steps/inventory/inventory-types.js';

/*
 * What the attacker left, as a message says it: what still exists, each with the exact command that
 * removes it, then what could not be checked (with the command that looks, when there is one), then
 * what was read and must be rotated. Names come from CloudTrail and IAM: inert.
 */

const LABELS: Record<LeftoverKind, string> = {
  user: 'user',
  'access-key': 'access key',
  'login-profile': 'console password of user',
  role: 'role',
  'role-trust': 'trust policy changed of role',
  'attached-policy': 'policy',
  'inline-policy': 'inline policy',
  instance: 'instance',
  function: 'Lambda function',
  'group-membership': 'group',
  'ssh-public-key': 'SSH public key',
  'service-credential': 'service-specific credential',
  'managed-policy': 'policy created',
  'policy-version': 'policy version',
  'default-policy-version': 'default policy version',
  'mfa-device': 'MFA device',
  'identity-provider': 'identity provider',
  'spot-request': 'spot instance request',
  'spot-fleet': 'spot fleet request',
  fleet: 'EC2 fleet',
  'key-pair': 'key pair',
  'secret-read': 'secret read',
  'parameter-read': 'parameter read',
  'bulk-read': 'read in bulk',
  'unchecked-call': 'call',
};

/** How an item names its owner: "of alice", but a group's member is "with member alice". */
const OWNER_WORDS: Partial<Record<LeftoverKind, string>> = { 'group-membership': 'with member' };

/** How many items a message lists: the rest are counted. */
const ITEMS_SHOWN = 60;

/**
 * An item's command, inert and whole, or where to get it when it is too long to show (`whole`: the
 * investigate command that lists the inventory whole): a command cut would be refused by the
 * shell, or run otherwise.
 */
function commandOf(item: Leftover, whole: string): string {
  const leftOut = `: its command is too long to show whole: ${whole} gives it`;
  if (item.commandLeftOut) return leftOut;
  if (!item.command) return '';
  const shown = inert(item.command);
  return codePointLength(shown) > COMMAND_SHOWN ? leftOut : `: ${shown}`;
}

function itemLine(item: Leftover, whole: string): string {
  const owner = item.owner ? ` ${OWNER_WORDS[item.kind] ?? 'of'} ${shownValue(item.owner, 80)}` : '';
  const region = item.region ? ` in ${shownValue(item.region, 30)}` : '';
  const flag = item.foreignTrust ? 'TRUST OUTSIDE: ' : '';
  const note = item.note ? ` (${flag}${shownText(item.note, 200)})` : '';
  const what = `${LABELS[item.kind]} ${shownValue(item.name, 120)}${owner}${region}${note}`;
  const command = commandOf(item, whole);
  if (item.state === 'unknown') return `NOT CHECKED: ${what}${command}`;
  return `${what}${command}`;
}

/** How many regions not searched a message names: the rest are counted (the activity names them all). */
const REGIONS_NAMED = 10;

/** What the search the inventory was taken from left out, in a sentence; null when it left out nothing. */
function gapsOf(basis: InventoryBasis | undefined): string | null {
  if (!basis) return null;
  const gaps: string[] = [];
  const regions = basis.regionsNotSearched;
  if (regions.length > 0) {
    const named = regions.slice(0, REGIONS_NAMED).map((region) => shownValue(region, 80));
    if (regions.length > REGIONS_NAMED) named.push(`${regions.length - REGIONS_NAMED} more`);
    gaps.push(`${regions.length} region(s) NOT searched for the key or its session keys (${named.join(', ')})`);
  }
  if (basis.searchCutShort) gaps.push('the search cut short');
  if ((basis.filesNotRead ?? 0) > 0) gaps.push(`${basis.filesNotRead} log file(s) NOT read`);
  if ((basis.sessionKeysNotSearched ?? 0) > 0)
    gaps.push(`${basis.sessionKeysNotSearched} session key(s) it minted NOT searched`);
  if (gaps.length === 0) return null;
  return `NOT complete, only from the activity read: ${gaps.join(', and ')}; what the attacker made in what was not read is not listed.`;
}

/** The counts of an inventory, in a sentence; first, what its search left out, when it did. */
export function inventoryInBrief(inventory: Inventory): string {
  if (inventory.error) return `The inventory could not be taken: ${shownText(inventory.error, 300)}`;
  const gaps = gapsOf(inventory.basis);
  const count = (state: Leftover['state']) => inventory.items.filter((item) => item.state === state).length;
  const foreign = inventory.items.filter((item) => item.state === 'exists' && item.foreignTrust).length;
  const parts = [
    `${count('exists')} thing(s) the attacker made still exist`,
    `${count('gone')} already removed`,
    `${count('to-rotate')} secret(s) or parameter(s) read (or calls reading them in bulk), to rotate`,
  ];
  if (count('unknown') > 0) parts.push(`${count('unknown')} not checked`);
  if (foreign > 0)
    parts.push(
      `${foreign} role(s) trusted ${inventory.trustedAccounts === 'organization' ? 'outside the organisation' : 'outside this account'}`,
    );
  return `${gaps ? `${gaps} ` : ''}${parts.join(', ')}${inventory.truncated ? ' (the list is cut)' : ''}.`;
}

/**
 * The lines of the inventory: the brief, then what still exists, what was not checked, and what to
 * rotate. `whole` is the command that lists the inventory whole (the key, its account and window
 * named, in a message read later).
 */
export function inventoryLines(inventory: Inventory, whole = 'exposed-keys investigate --inventory --json'): string[] {
  const order: Leftover['state'][] = ['exists', 'unknown', 'to-rotate'];
  const listed = order.flatMap((state) => inventory.items.filter((item) => item.state === state));
  const shown = listed.slice(0, ITEMS_SHOWN).map((item) => itemLine(item, whole));
  if (listed.length > ITEMS_SHOWN) shown.push(`… ${listed.length - ITEMS_SHOWN} more: ${whole} lists them all`);
  return [inventoryInBrief(inventory), ...shown];
}
