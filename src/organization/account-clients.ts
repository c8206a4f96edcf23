import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { callerAccount } from '../aws/caller-account.js';
import { type AwsContext, type CredentialsProvider, clientConfig } from '../aws/client-config.js';
import type { CloudTrailApi, IamClient, StsApi } from '../aws/narrow-clients.js';
import { perRegion } from '../aws/per-region.js';
import { InvalidInputError } from '../errors.js';
import { AssumedRoles, roleArn, roleSessionName } from './assumed-role.js';

/** Clients that act in one account: the hub's own, or through the account's responder role. */
export interface AccountClients {
  readonly accountId: string;
  /** True for the hub's own account: its own credentials, no role assumed. */
  readonly own: boolean;
  /** The credentials acting in the account; undefined for the hub's own (the default chain). */
  readonly credentials: CredentialsProvider | undefined;
  /**
   * The settings of any SDK client acting in this account, in `region`: e.g.
   * `new SecurityHubClient(clients.config('us-east-1'))`. Same time-outs and retries as the others.
   */
  config(region: string): ReturnType<typeof clientConfig>;
  /** IAM in the account (one client, built on first use). */
  iam(): IamClient;
  /** CloudTrail of the account in `region` (one client per region, built on first use). */
  cloudTrail(region: string): CloudTrailApi;
  /** The account's enabled regions; loads the EC2 client only now. */
  listRegions(): Promise<string[]>;
}

/** What {@link accountAccess} needs. */
export interface AccountAccessOptions {
  /** STS as the hub: it assumes the roles. */
  sts: StsApi;
  /** The responder role's name in every account (default `exposed-keys-responder`). */
  roleName: string;
  /** Where and with which time-outs the clients call AWS (the Lambda's or the CLI's settings). */
  context: AwsContext;
  /** The hub's account when known (a function ARN says it); otherwise STS is asked, once. */
  hubAccountId?: string;
  partition?: string;
  /** A session policy every role is assumed with, narrowing what the clients may do there. */
  sessionPolicy?: string;
  now?: () => number;
}

/** The seam of organisation mode: clients acting in the account an incident names. */
export interface AccountAccess {
  /** The account the hub runs in. */
  hubAccountId(): Promise<string>;
  /**
   * Tells the account the hub runs in, as its function's ARN names it: from then on it is known
   * without asking STS, so that acting in the hub's own account depends on no STS call.
   */
  knowHubAccount(accountId: string): void;
  /**
   * Clients acting in `accountId` for the incident of `accessKeyId`. For the hub's own account,
   * the hub's own clients. For any other, clients whose credentials come from assuming
   * `arn:aws:iam::<accountId>:role/<roleName>` with the session name `exposed-keys-<accessKeyId>`
   * (so the account's CloudTrail says which incident each call was for); the credentials are
   * asked for on the first call, kept until shortly before they expire, and shared by every
   * client of that account and key. This does not check that the account belongs to the
   * organisation: `OrganizationAccess.forIncident` does, and the hub's IAM policy allows
   * `sts:AssumeRole` only in accounts of its organisation.
   *
   * A failure to assume the role surfaces on the first call of a client, as an
   * `AccountAccessError` naming the role.
   *
   * @throws InvalidInputError when `accountId` is not 12 digits.
   */
  accountClients(accountId: string, accessKeyId: string): Promise<AccountClients>;
}

/** How many accounts' clients are kept at once; a Lambda container lives long, keys come and go. */
const MAX_KEPT = 200;

function clientsOf(accountId: string, own: boolean, context: AwsContext): AccountClients {
  let iam: IAMClient | undefined;
  return {
    accountId,
    own,
    credentials: context.credentials,
    config: (region) => clientConfig(context, region),
    iam: () => {
      iam ??= new IAMClient(clientConfig(context));
      return iam;
    },
    cloudTrail: perRegion((region) => new CloudTrailClient(clientConfig(context, region))),
    listRegions: async () => (await import('../aws/enabled-regions.js')).listEnabledRegions(context),
  };
}

/**
 * The seam through which any step acts in the account an incident names, in organisation mode:
 * `(await access.accountClients(incident.accountId, incident.accessKeyId)).iam()` is IAM of that
 * account, whether it is the hub's own or a member's. Steps take the narrow clients it gives;
 * only the task (or the CLI flow) that builds a step's dependencies calls it.
 */
export function accountAccess(options: AccountAccessOptions): AccountAccess {
  const roles = new AssumedRoles(options.sts, { now: options.now, policy: options.sessionPolicy });
  const { profile: _profile, credentials: _credentials, ...base } = options.context;
  const kept = new Map<string, AccountClients>();
  let hub: Promise<string> | undefined = options.hubAccountId ? Promise.resolve(options.hubAccountId) : undefined;
  const hubAccountId = () => {
    // A failed answer is not kept: a warm function asks again on its next incident.
    hub ??= callerAccount(options.sts).catch((error: unknown) => {
      hub = undefined;
      throw error;
    });
    return hub;
  };
  const own = clientsOf('', true, options.context);
  return {
    hubAccountId,
    knowHubAccount(accountId) {
      hub = Promise.resolve(accountId);
    },
    async accountClients(accountId, accessKeyId) {
      if (!/^\d{12}$/.test(accountId))
        throw new InvalidInputError('account', `${JSON.stringify(accountId)} is not an account id (12 digits).`);
      if (accountId === (await hubAccountId())) return { ...own, accountId };
      const sessionName = roleSessionName(accessKeyId);
      const key = `${accountId} ${sessionName}`;
      let clients = kept.get(key);
      if (!clients) {
        const credentials = roles.provider(roleArn(accountId, options.roleName, options.partition), sessionName);
        clients = clientsOf(accountId, false, { ...base, credentials });
        if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value as string);
        kept.set(key, clients);
      }
      return clients;
    },
  };
}
