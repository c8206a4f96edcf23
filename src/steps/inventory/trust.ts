import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import type { OrganizationsApi } from '../../aws/narrow-clients.js';

/** The accounts a role may trust without a flag: the organisation's, or this account alone. */
export interface TrustedAccounts {
  accounts: ReadonlySet<string>;
  scope: 'organization' | 'this-account';
}

/**
 * The organisation's accounts when Organizations answers (the management account, or a delegated
 * administrator); otherwise this account alone, and trust is then flagged "outside this account".
 */
export async function trustedAccounts(
  organizations: OrganizationsApi | undefined,
  accountId: string | null,
): Promise<TrustedAccounts> {
  const own: TrustedAccounts = { accounts: new Set(accountId ? [accountId] : []), scope: 'this-account' };
  if (!organizations) return own;
  try {
    const accounts = new Set<string>();
    let token: string | undefined;
    do {
      const page = await organizations.send(new ListAccountsCommand({ NextToken: token }));
      for (const account of page.Accounts ?? []) if (account.Id) accounts.add(account.Id);
      token = page.NextToken;
    } while (token);
    if (accounts.size === 0) return own;
    if (accountId) accounts.add(accountId);
    return { accounts, scope: 'organization' };
  } catch {
    // Not in an organisation, or not allowed to list it: this account is what is known.
    return own;
  }
}

function principals(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/**
 * The accounts a trust policy (as IAM returns it, URL-encoded JSON) lets assume the role, outside
 * `trusted`: from `Principal.AWS` account ids and ARNs, `"*"` (anyone) as `*`, and every
 * identity provider of `Principal.Federated` as `federated <provider>`; null when the policy
 * cannot be read (absent, not URL-encoded JSON, not an object), which must not pass for none.
 */
export function foreignPrincipals(document: string | undefined, trusted: TrustedAccounts): string[] | null {
  if (!document) return null;
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(decodeURIComponent(document));
  } catch {
    return null;
  }
  if (typeof policy !== 'object' || policy === null) return null;
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const foreign = new Set<string>();
  for (const statement of statements as { Effect?: string; Principal?: unknown }[]) {
    if (statement?.Effect !== 'Allow') continue;
    const principal = statement.Principal;
    const aws = principal === '*' ? ['*'] : principals((principal as { AWS?: unknown } | undefined)?.AWS);
    for (const entry of aws) {
      if (entry === '*') foreign.add('*');
      const account = /^(\d{12})$/.exec(entry)?.[1] ?? /^arn:[\w-]+:(?:iam|sts)::(\d{12}):/.exec(entry)?.[1];
      if (account && !trusted.accounts.has(account)) foreign.add(account);
    }
    // Identities of a web or SAML provider (GitHub's OIDC, Google, Cognito…) belong to no account:
    // a role trusting one, unless its conditions narrow it, lets in whoever the provider vouches for.
    for (const provider of principals((principal as { Federated?: unknown } | undefined)?.Federated))
      foreign.add(`federated ${provider.replace(/^arn:[\w-]+:iam::\d{12}:(?:oidc|saml)-provider\//, '')}`);
  }
  return [...foreign].sort();
}
