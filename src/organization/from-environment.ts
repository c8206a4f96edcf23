import { readOrganizationConfig } from '../settings/function-settings.js';
import type { OrganizationAccess } from './organization-access.js';
import type { HubFunction } from './session-policies.js';

/**
 * Organisation mode for a Lambda function, from its environment (`ORGANIZATION_ID`,
 * `RESPONDER_ROLE_NAME`): undefined when the stack guards its own account only. In a member, the
 * function acts with only what it does there (its session policy). The STS and
 * Organizations clients load only in organisation mode, so that a single account's cold start
 * does not pay for them.
 *
 * @throws ConfigurationError when a variable is invalid, at cold start.
 */
export async function organizationFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  functionName: HubFunction,
): Promise<OrganizationAccess | undefined> {
  const config = readOrganizationConfig(env, functionName);
  if (!config) return undefined;
  const { hubOrganization } = await import('./hub-organization.js');
  return hubOrganization(config, functionName);
}
