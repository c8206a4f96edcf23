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
  | 'secret-read'
  | 'parameter-read'
  | 'bulk-read';

/** One thing the activity says the attacker made or read, as it stands now. */
export interface Leftover {
  kind: LeftoverKind;
  /**
   * The user, role, key, instance id, function, secret or parameter; for a policy, the policy; for
   * a read in bulk, the call (BatchGetSecretValue, GetParametersByPath).
   */
  name: string;
  /** For keys, login profiles and policies: the user, role or group it belongs to. */
  owner: string | null;
  /** For instances, functions, secrets and parameters: where. */
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
}

/** An inventory holds at most this many items: enough for any incident a person reads, bounded for a state. */
export const MAX_INVENTORY_ITEMS = 200;
