import { DescribeAccountCommand } from '@aws-sdk/client-organizations';
import { isAwsError, toAwsCallError } from '../aws/aws-errors.js';
import type { OrganizationsApi } from '../aws/narrow-clients.js';
import { describeError } from '../errors.js';

/**
 * Whether an account belongs to the hub's organisation, as Organizations says:
 * - `member`: it does; `name` is the account's name; `inactive`, its state when it is not active
 *   (`SUSPENDED`, `PENDING_CLOSURE`, `CLOSED`): its role then cannot be used;
 * - `outside`: it does not (Organizations does not know it, or it is in another organisation);
 * - `unknown`: Organizations could not be asked (the hub is a delegated administrator without the
 *   right to describe accounts, say). The hub then relies on its own guard: it may assume roles
 *   only in accounts of its organisation (`aws:ResourceOrgID` on its `sts:AssumeRole`).
 */
export type Membership =
  | { status: 'member'; name: string | null; inactive?: string }
  | { status: 'outside'; reason: string }
  | { status: 'unknown'; warning: string };

/** An answer is kept this long: accounts rarely join or leave, and a burst asks about one account often. */
const KEEP_MS = 15 * 60_000;

/** The organisation id in an account's ARN: `arn:aws:organizations::<management>:account/o-…/<account>`. */
function organizationOf(accountArn: string | undefined): string | undefined {
  return /:account\/(o-[a-z0-9]+)\/\d{12}$/.exec(accountArn ?? '')?.[1];
}

/**
 * Tells whether accounts belong to one organisation, with `organizations:DescribeAccount` from
 * the hub (which also gives the account's name for the messages), each answer kept a while.
 */
export class OrganizationMembers {
  readonly #organizations: OrganizationsApi;
  readonly #organizationId: string;
  readonly #now: () => number;
  readonly #answers = new Map<string, { membership: Promise<Membership>; at: number }>();

  constructor(organizations: OrganizationsApi, organizationId: string, options: { now?: () => number } = {}) {
    this.#organizations = organizations;
    this.#organizationId = organizationId;
    this.#now = options.now ?? Date.now;
  }

  /** The organisation these members belong to. */
  get organizationId(): string {
    return this.#organizationId;
  }

  /** Whether `accountId` is a member, and its name; never throws. */
  membership(accountId: string): Promise<Membership> {
    const kept = this.#answers.get(accountId);
    if (kept && this.#now() - kept.at < KEEP_MS) return kept.membership;
    const membership = this.#ask(accountId);
    const entry = { membership, at: this.#now() };
    this.#answers.set(accountId, entry);
    // An account Organizations could not be asked about is asked about again next time.
    membership.then((answer) => {
      if (answer.status === 'unknown' && this.#answers.get(accountId) === entry) this.#answers.delete(accountId);
    });
    return membership;
  }

  async #ask(accountId: string): Promise<Membership> {
    try {
      const { Account: account } = await this.#organizations.send(new DescribeAccountCommand({ AccountId: accountId }));
      const organization = organizationOf(account?.Arn);
      if (organization !== undefined && organization !== this.#organizationId)
        return { status: 'outside', reason: `it belongs to organization ${organization}` };
      // State is the newer field; Status, which it replaces, is read when it is all there is.
      const state = account?.State ?? account?.Status;
      const inactive = state !== undefined && state !== 'ACTIVE' ? { inactive: state } : {};
      return { status: 'member', name: account?.Name || null, ...inactive };
    } catch (error) {
      if (isAwsError(error, 'AccountNotFound', 'AWSOrganizationsNotInUse', 'InvalidInput'))
        return { status: 'outside', reason: `Organizations does not know it in ${this.#organizationId}` };
      return {
        status: 'unknown',
        warning: `Could not ask Organizations whether account ${accountId} is a member: ${describeError(toAwsCallError('organizations:DescribeAccount', error))}`,
      };
    }
  }
}
