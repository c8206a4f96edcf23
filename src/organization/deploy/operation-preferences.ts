import type { StackSetOperationPreferences } from '@aws-sdk/client-cloudformation';
import { STACK_REGION } from '../../constants.js';

/**
 * How a StackSet operation rolls the member template out to (or updates, or removes it from) up
 * to thousands of accounts:
 *
 * - `SOFT_FAILURE_TOLERANCE`: the concurrency stays at its maximum whatever fails. Under the default
 *   (strict) mode each failed account lowers the concurrency, so a handful of broken accounts
 *   would slow a rollout to 1,000 accounts to a crawl.
 * - `MaxConcurrentPercentage` 25: four waves. A member stack (two roles, two rules) takes one to two
 *   minutes, so 1,000 accounts take about 4 x 2 = 8 minutes: bounded, and the same for 100 or 5,000
 *   accounts in waves of a quarter. Not 100: a template that fails everywhere should fail in the
 *   first wave, not in every account at once.
 * - `FailureTolerancePercentage` 10: up to a tenth of the accounts (100 of 1,000) may fail before
 *   the operation stops. A few failing accounts (suspended, a conflicting role name, an SCP) do not
 *   stop the rollout; each is reported by account with its reason (`deploy --org`, `status --org`).
 *   A failure in more than a tenth is systematic: stopping then saves the rest from the same fault.
 *   It is below the concurrency, as CloudFormation requires with percentages.
 * - One region, us-east-1: the events arrive there, and the template's role is global.
 *
 * These preferences do not apply to automatic deployment to accounts that join later, which
 * CloudFormation runs on its own.
 */
export const MEMBER_OPERATION_PREFERENCES: StackSetOperationPreferences = {
  ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
  MaxConcurrentPercentage: 25,
  FailureTolerancePercentage: 10,
  RegionConcurrencyType: 'PARALLEL',
  RegionOrder: [STACK_REGION],
};
