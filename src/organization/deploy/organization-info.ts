import { DescribeOrganizationCommand, ListRootsCommand } from '@aws-sdk/client-organizations';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { OrganizationsApi } from '../../aws/narrow-clients.js';
import { InvalidInputError } from '../../errors.js';

/** The organisation as `deploy --org` needs it. */
export interface OrganizationInfo {
  organizationId: string;
  managementAccountId: string;
  /** The root (`r-…`), the default target of the member StackSet. */
  rootId: string;
}

/** A root (`r-…`) or organizational unit (`ou-…-…`) id: what a service-managed StackSet deploys to. */
const TARGET_PATTERN = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

/**
 * Checks `--targets`: roots and organizational units, comma-separated. Accounts cannot be targets
 * of a service-managed StackSet.
 *
 * @throws InvalidInputError naming the flag and the ids at fault.
 */
export function parseTargets(text: string): string[] {
  const targets = [
    ...new Set(
      text
        .split(',')
        .map((target) => target.trim())
        .filter(Boolean),
    ),
  ];
  const bad = targets.filter((target) => !TARGET_PATTERN.test(target));
  if (targets.length === 0 || bad.length > 0)
    throw new InvalidInputError(
      '--targets',
      `--targets must be root or organizational unit ids separated by commas (r-xxxx, ou-xxxx-xxxxxxxx)${bad.length ? `, not ${bad.map((id) => JSON.stringify(id.slice(0, 40))).join(', ')}` : ''}.`,
    );
  return targets;
}

/**
 * The caller's organisation: its id, its management account and its root.
 *
 * @throws InvalidInputError when the account belongs to no organisation.
 */
export async function describeOrganization(organizations: OrganizationsApi): Promise<OrganizationInfo> {
  try {
    const { Organization: organization } = await organizations.send(new DescribeOrganizationCommand({}));
    const roots = await organizations.send(new ListRootsCommand({}));
    return {
      organizationId: organization?.Id ?? '',
      managementAccountId: organization?.MasterAccountId ?? '',
      rootId: roots.Roots?.[0]?.Id ?? '',
    };
  } catch (error) {
    if (isAwsError(error, 'AWSOrganizationsNotInUse'))
      throw new InvalidInputError('--org', 'This account belongs to no organization, so --org has nothing to cover.', {
        hint: 'Run deploy --org with credentials of the management account (or of a delegated administrator), or deploy without --org.',
      });
    throw toAwsCallError('organizations:DescribeOrganization', error);
  }
}
