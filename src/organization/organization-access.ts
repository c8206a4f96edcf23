import type { Incident } from '../incident/incident.js';
import type { AccountAccess, AccountClients } from './account-clients.js';
import type { Membership, OrganizationMembers } from './membership.js';
import { AccountAccessError, OutsideOrganizationError } from './organization-errors.js';

/** The account an incident names, as the hub may act in it. */
export interface IncidentAccount {
  clients: AccountClients;
  /** The account's name, when Organizations said it. */
  accountName: string | null;
  /** What could not be checked (Organizations not answering); the hub acted all the same. */
  warnings: string[];
}

/** Organisation mode, as the hub's tasks use it: who belongs, and clients acting there. */
export interface OrganizationAccess {
  readonly organizationId: string;
  readonly access: AccountAccess;
  readonly members: OrganizationMembers;
}

/**
 * Whether the hub may act in `accountId`: its membership, as Organizations says (the hub's own
 * account is never outside).
 *
 * @throws OutsideOrganizationError when Organizations says the account is not a member.
 */
export async function memberOrRefused(organization: OrganizationAccess, accountId: string): Promise<Membership> {
  const [hub, membership] = await Promise.all([
    organization.access.hubAccountId(),
    organization.members.membership(accountId),
  ]);
  if (membership.status === 'outside' && accountId !== hub)
    throw new OutsideOrganizationError(accountId, organization.organizationId);
  return membership;
}

/**
 * Clients acting in the account `incident` names, once that account is known to belong to the
 * hub's organisation (or Organizations could not say, when the hub's `aws:ResourceOrgID` guard on
 * `sts:AssumeRole` still keeps it inside). The hub's own account needs no role.
 *
 * @throws OutsideOrganizationError when Organizations says the account is not a member: the
 * hub touches nothing there.
 * @throws AccountAccessError when the account's responder role cannot be assumed (saying so when
 * Organizations says the account is not active: suspended, closing, closed).
 */
export async function incidentAccount(organization: OrganizationAccess, incident: Incident): Promise<IncidentAccount> {
  const membership = await memberOrRefused(organization, incident.accountId);
  const clients = await organization.access.accountClients(incident.accountId, incident.accessKeyId);
  const inactive = membership.status === 'member' ? membership.inactive : undefined;
  // The role is assumed now, once: a refusal is said plainly (AccountAccessError) rather than as the
  // first call's failure, and no call waits for it while holding a turn of the account's budget.
  await clients.credentials?.().catch((error: unknown) => {
    throw inactive && error instanceof AccountAccessError ? error.inInactiveAccount(inactive) : error;
  });
  const warnings = membership.status === 'unknown' ? [membership.warning] : [];
  if (inactive)
    warnings.push(
      `Organizations says account ${incident.accountId} is ${inactive}; its role could be used all the same.`,
    );
  return { clients, accountName: membership.status === 'member' ? membership.name : null, warnings };
}
