/** What the attacker left that an inventory looks for. */
export type LeftoverKind =
  | 'user'
  | 'access-key'
  | 'login-profile'
  | 'role'
  | 'role-trust'
  | 'attached-policy'
  | 'inline-policy'
  | 'instance'
  | 'function'
  | 'group-membership'
  | 'ssh-public-key'
  | 'service-credential'
  | 'managed-policy'
  | 'policy-version'
  | 'default-policy-version'
  | 'mfa-device'
  | 'identity-provider'
  | 'spot-request'
  | 'spot-fleet'
  | 'fleet'
  | 'key-pair'
  | 'secret-read'
  | 'parameter-read'
  | 'bulk-read'
  | 'unchecked-call';

/** The name of a leftover its record does not name (an inline policy, an SSH key…): what the owner has now is listed. */
export const UNNAMED = '(not named)';

/** One thing the activity says the attacker made or read, as it stands now. */
export interface Leftover {
  kind: LeftoverKind;
  /**
   * The user, role, key (access or SSH), credential, group, instance id, function, secret,
   * parameter, MFA device's serial number, identity provider's ARN, spot request, fleet or key
   * pair; for a policy, the policy; for a policy version, the version; for a read in bulk or a call
   * not checked, the call (BatchGetSecretValue, GetParametersByPath, …).
   */
  name: string;
  /**
   * For keys, credentials, login profiles, MFA devices enabled and policies: the user, role or
   * group it belongs to; for a policy version, the policy's ARN; for a group membership, the user.
   */
  owner: string | null;
  /** For instances, functions, secrets, parameters and what EC2 made, and for calls not checked: where. */
  region: string | null;
  /**
   * `exists`: still there now; `gone`: removed already; `unknown`: could not be checked (the
   * reason is in `note`); `to-rotate`: read, so what it held must be changed (never removed).
   */
  state: 'exists' | 'gone' | 'unknown' | 'to-rotate';
  /** Why it matters, or why it could not be checked: "trusts account 111122223333, outside the organisation". */
  note: string | null;
  /** The exact command that removes it (or rotates it); values are as AWS gave them, to be shown inert. */
  command: string;
  /** True when a role trusts an account outside the organisation (or, without Organizations, this account). */
  foreignTrust?: boolean;
  /** True when its check failed (a call refused or in error): `unknown`, so never known to be safe. */
  checkFailed?: boolean;
  /**
   * True when its command, longer than {@link COMMAND_SHOWN}, was left out (`command` is then empty)
   * to fit the state machine's state: a command is never cut, and `investigate --inventory --json` gives it whole.
   */
  commandLeftOut?: boolean;
}

/**
 * The longest command (in code points, as shown: inert) a message shows or a state keeps: a longer
 * one is never cut, which would leave a command the shell refuses or runs otherwise, but left out,
 * with where to get it whole.
 */
export const COMMAND_SHOWN = 400;

/** What a check says of one leftover now. */
export type LeftoverCheck = Pick<Leftover, 'state' | 'note' | 'command'> & {
  foreignTrust?: boolean;
  checkFailed?: boolean;
};

/** The check of a leftover no longer there. */
export const GONE: LeftoverCheck = { state: 'gone', note: null, command: '' };

/**
 * What the search the inventory was taken from left out, for the key and the session keys it
 * minted: what the attacker made there is in no summary, so in no inventory.
 */
export interface InventoryBasis {
  /** The regions (or days, or accounts' regions) in any summary's `regions.failed`, each once. */
  regionsNotSearched: string[];
  /** True when any summary is `truncated`: a cap, a deadline, Ctrl-C or the sources' reach cut the search short. */
  searchCutShort: boolean;
  /** Log files that could not be read (each summary's `filesNotRead`); absent when none. */
  filesNotRead?: number;
  /** Session keys minted (by the key or a session key followed) not searched (past 25, out of time, or none followed); absent when none. */
  sessionKeysNotSearched?: number;
}

/** What the attacker left, read-only: never deletes anything. */
export interface Inventory {
  /** Everything found in the activity, checked now. */
  items: Leftover[];
  /** How the organisation's accounts were known, for trust checks: `organization` or `this-account`. */
  trustedAccounts: 'organization' | 'this-account';
  /** True when more was found than an inventory holds ({@link MAX_INVENTORY_ITEMS}). */
  truncated: boolean;
  /** Why the inventory could not be taken at all, when it could not. */
  error?: string;
  /** What the search it was taken from left out; absent when it could not be taken, or was taken before this was kept. */
  basis?: InventoryBasis;
}

/** An inventory holds at most this many items: enough for any incident a person reads, bounded for a state. */
export const MAX_INVENTORY_ITEMS = 200;

/**
 * What the attacker made that lets it in without the contained key: a key, a console password,
 * an SSH key or service credential (CodeCommit, Keyspaces), an identity provider to federate from.
 */
const ACCESS_KINDS: readonly LeftoverKind[] = [
  'access-key',
  'login-profile',
  'ssh-public-key',
  'service-credential',
  'identity-provider',
];

/** True when `item`, still there, lets the attacker in without the contained key (or a role trusts outside). */
export function grantsAccess(item: Leftover): boolean {
  return item.state === 'exists' && (ACCESS_KINDS.includes(item.kind) || item.foreignTrust === true);
}

/**
 * The items with those that grant access first, then those whose check failed, the rest in their
 * order: whatever cuts an inventory short (its cap, the state's size) cuts from the end, so that
 * what makes a human necessary, then what the inventory cannot vouch for, are the last lost.
 */
export function accessFirst<T extends Leftover>(items: readonly T[]): T[] {
  const failed = (item: T) => !grantsAccess(item) && item.checkFailed === true;
  return [
    ...items.filter(grantsAccess),
    ...items.filter(failed),
    ...items.filter((item) => !grantsAccess(item) && !failed(item)),
  ];
}

/** True when the search the inventory was taken from left a region, a log file or a session key out, or was cut short. */
export function basisIncomplete(basis: InventoryBasis | undefined): boolean {
  return Boolean(
    basis &&
      (basis.regionsNotSearched.length > 0 ||
        basis.searchCutShort ||
        (basis.filesNotRead ?? 0) > 0 ||
        (basis.sessionKeysNotSearched ?? 0) > 0),
  );
}

/**
 * True when the inventory cannot vouch for what it lists: it could not be taken at all, the
 * check of an item failed, or the search it was taken from left a region out or was cut short. The
 * exit code says so (3), whatever else it found.
 */
export function inventoryIncomplete(inventory: Inventory | undefined): boolean {
  return Boolean(
    inventory &&
      (inventory.error || inventory.items.some((item) => item.checkFailed) || basisIncomplete(inventory.basis)),
  );
}
