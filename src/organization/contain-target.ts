import type { Incident } from '../incident/incident.js';
import type { ContainConfig } from '../settings/function-settings.js';
import type { ContainmentResult } from '../steps/contain.js';
import { outsideOrganizationSteps } from '../steps/human-steps.js';
import { type IncidentAccount, incidentAccount, type OrganizationAccess } from './organization-access.js';
import { OutsideOrganizationError } from './organization-errors.js';

/** Where the hub contains an incident's key: in its account, or nowhere, with the result that says why. */
export type ContainTarget = { account: IncidentAccount } | { refused: ContainmentResult };

/**
 * The account in which the hub contains the incident's key, or, for an account outside its
 * organisation, the `outside-organization` result (nothing touched, the steps a human must take),
 * which the notification reports like any other outcome.
 */
export async function containTarget(
  organization: OrganizationAccess,
  incident: Incident,
  config: ContainConfig,
): Promise<ContainTarget> {
  try {
    return { account: await incidentAccount(organization, incident) };
  } catch (error) {
    if (!(error instanceof OutsideOrganizationError)) throw error;
    return {
      refused: {
        accessKeyId: incident.accessKeyId,
        userName: incident.userName,
        mode: config.mode,
        dryRun: false,
        outcome: 'outside-organization',
        contained: false,
        summary: `${incident.accessKeyId} belongs to account ${incident.accountId}, which is not a member of organization ${organization.organizationId}; nothing was touched.`,
        actions: [],
        quarantinePolicies: [],
        humanSteps: outsideOrganizationSteps(incident.accessKeyId, incident.accountId, organization.organizationId),
        warnings: [],
      },
    };
  }
}

/** A containment result with what organisation mode adds: the account's name, and what could not be checked. */
export function inAccount(result: ContainmentResult, account: IncidentAccount): ContainmentResult {
  return {
    ...result,
    ...(account.accountName ? { accountName: account.accountName } : {}),
    warnings: [...account.warnings, ...result.warnings],
  };
}
