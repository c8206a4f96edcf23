import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { toAwsCallError } from '../aws/aws-errors.js';
import type { AwsCredentials, CredentialsProvider } from '../aws/client-config.js';
import type { StsApi } from '../aws/narrow-clients.js';
import { AwsCallError, CredentialsError } from '../errors.js';
import { AccountAccessError } from './organization-errors.js';

/** Credentials are asked for again this long before they expire, so that no call signs with expiring ones. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/** What STS answers when the role is missing or its trust does not admit the caller. */
const REFUSALS = new Set(['AccessDenied', 'AccessDeniedException', 'NoSuchEntity']);

/** How long assumed-role credentials last: the responder role's maximum session (cloudformation/member.yaml). */
const SESSION_SECONDS = 3600;

/** The ARN of a role in an account (the aws partition; other partitions have their own hubs). */
export function roleArn(accountId: string, roleName: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/**
 * The session name the hub uses in an account for a key: `exposed-keys-<key id>`, so that the
 * account's CloudTrail shows which incident each call of the hub was for. STS allows 2 to 64
 * characters of `[\w+=,.@-]`; a key id is 20 of them.
 */
export function roleSessionName(accessKeyId: string): string {
  return `exposed-keys-${accessKeyId.replace(/[^\w+=,.@-]/g, '-')}`.slice(0, 64);
}

interface Cached {
  credentials: Promise<AwsCredentials>;
  /** Epoch milliseconds; undefined while the answer is awaited. */
  expiresAt?: number;
}

/**
 * Credentials of roles assumed in other accounts, each asked for once and kept until
 * {@link REFRESH_BEFORE_EXPIRY_MS} before it expires. Calls made at the same time share one
 * `AssumeRole`; a refusal is not kept, so that the next call asks again. With `policy`, every
 * session is narrowed to it (a session policy: STS grants what both it and the role allow).
 */
export class AssumedRoles {
  readonly #sts: StsApi;
  readonly #now: () => number;
  readonly #policy: string | undefined;
  readonly #cache = new Map<string, Cached>();

  constructor(sts: StsApi, options: { now?: () => number; policy?: string } = {}) {
    this.#sts = sts;
    this.#now = options.now ?? Date.now;
    this.#policy = options.policy;
  }

  /** A provider of credentials acting as `arn` under `sessionName`, for a client's `credentials`. */
  provider(arn: string, sessionName: string): CredentialsProvider {
    return () => this.credentials(arn, sessionName);
  }

  /**
   * Credentials of `arn` under `sessionName`, from the cache while they are fresh.
   *
   * @throws AccountAccessError when STS refuses (the role missing, its trust not admitting the caller),
   * or fails otherwise (its `reason` then `other`).
   */
  credentials(arn: string, sessionName: string): Promise<AwsCredentials> {
    const key = `${arn} ${sessionName}`;
    const cached = this.#cache.get(key);
    if (cached && (cached.expiresAt === undefined || cached.expiresAt - REFRESH_BEFORE_EXPIRY_MS > this.#now()))
      return cached.credentials;
    const entry: Cached = { credentials: this.#assume(arn, sessionName) };
    this.#cache.set(key, entry);
    entry.credentials.then(
      (credentials) => {
        entry.expiresAt = credentials.expiration?.getTime() ?? this.#now() + SESSION_SECONDS * 1000;
      },
      () => {
        if (this.#cache.get(key) === entry) this.#cache.delete(key);
      },
    );
    return entry.credentials;
  }

  async #assume(arn: string, sessionName: string): Promise<AwsCredentials> {
    try {
      const answer = await this.#sts.send(
        new AssumeRoleCommand({
          RoleArn: arn,
          RoleSessionName: sessionName,
          DurationSeconds: SESSION_SECONDS,
          ...(this.#policy ? { Policy: this.#policy } : {}),
        }),
      );
      const given = answer.Credentials;
      if (!given?.AccessKeyId || !given.SecretAccessKey) throw new Error('STS returned no credentials');
      return {
        accessKeyId: given.AccessKeyId,
        secretAccessKey: given.SecretAccessKey,
        sessionToken: given.SessionToken,
        expiration: given.Expiration,
      };
    } catch (error) {
      const cause = toAwsCallError('sts:AssumeRole', error);
      // The caller's own credentials failing (expired, say) is theirs to renew, not the account's.
      if (cause instanceof CredentialsError) throw cause;
      // A refusal is the role missing or its trust; anything else (throttling, a timeout) may pass.
      const refused = cause instanceof AwsCallError && REFUSALS.has(cause.awsCode);
      throw new AccountAccessError(arn, cause.message, { cause, reason: refused ? 'refused' : 'other' });
    }
  }
}
