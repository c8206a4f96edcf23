import { shellWord } from '../../common/shell-words.js';
import { shownText, shownValue } from '../../common/untrusted-text.js';
import { DEFAULT_RESPONDER_ROLE_NAME, DEFAULT_STACK_SET_NAME } from '../../constants.js';
import type { OrganizationStatus } from '../../organization/deploy/organization-status.js';

/** Accounts named one by one in a problem; an organisation of thousands is summed up past these. */
const NAMED = 5;

function named(accountIds: readonly string[]): string {
  const shown = accountIds.slice(0, NAMED).map((id) => shownValue(id, 20));
  return accountIds.length > NAMED ? `${shown.join(', ')} and ${accountIds.length - NAMED} more` : shown.join(', ');
}

/**
 * The command that deploys the member stack where it is missing and turns automatic deployment on:
 * `deploy --org` creates the instances of every account of its targets that lacks one. Its targets
 * default to the root, so units are named.
 */
function deployCommand(stackSet: NonNullable<OrganizationStatus['stackSet']>): string {
  const units = stackSet.targets.filter((target) => !target.startsWith('r-'));
  const targets = units.length > 0 ? ` --targets ${stackSet.targets.map((t) => shownValue(t, 70)).join(',')}` : '';
  const name = stackSet.name === DEFAULT_STACK_SET_NAME ? '' : ` --stack-set-name ${shownValue(stackSet.name, 128)}`;
  // What the StackSet was deployed with, or deploy --org would put its defaults back in every member.
  const role =
    stackSet.responderRoleName === DEFAULT_RESPONDER_ROLE_NAME
      ? ''
      : ` --role-name ${shellWord(shownValue(stackSet.responderRoleName, 64))}`;
  const operators =
    stackSet.operatorRoleArns === ''
      ? ''
      : ` --operator-role-arns ${shellWord(shownValue(stackSet.operatorRoleArns, 2_048))}`;
  return `exposed-keys deploy --org${targets}${name}${role}${operators}`;
}

/**
 * Where the member StackSet does not reach every member, as `status --org` warns of it (each is a
 * reason to exit 3): no instance at all, automatic deployment off, instances drifted, accounts of
 * the targeted units with no instance, or that comparison not made.
 */
export function stackSetProblems(status: OrganizationStatus): string[] {
  const { stackSet, instances, coverage } = status;
  // A missing StackSet is shown with the members, and exits 3 on its own.
  if (!stackSet) return [];
  const run = deployCommand(stackSet);
  const name = shownValue(stackSet.name, 128);
  const problems: string[] = [];
  if (instances.length === 0)
    problems.push(
      `The member StackSet ${name} has no instance: no member account has the member stack, so none forwards its exposed-key events to the hub (a deploy --org that stopped before deploying it, or targets that hold no account). Run ${run}.`,
    );
  if (!stackSet.autoDeployment)
    problems.push(
      `Automatic deployment of the member StackSet ${name} is off: an account that joins a targeted unit gets no member stack, and its exposed keys reach no one. Run ${run} to turn it on.`,
    );
  const drifted = instances.filter((instance) => instance.driftStatus === 'DRIFTED');
  if (drifted.length > 0)
    problems.push(
      `${drifted.length} account(s) have a member stack changed since it was deployed (drift DRIFTED: ${named(drifted.map((instance) => instance.account))}): its forwarding rules or responder role may no longer work. Deploying again does not undo drift (CloudFormation changes only what the template changes): in each, see what changed (aws cloudformation detect-stack-drift, then describe-stack-resource-drifts, on the StackSet's stack there) and put it back; then aws cloudformation detect-stack-set-drift --stack-set-name ${name} clears it here.`,
    );
  if (coverage?.checked && coverage.missing.length > 0)
    problems.push(
      `${coverage.missing.length} active account(s) of the targeted units have no member stack (${named(coverage.missing)}): their exposed keys reach no one. Run ${run}: it deploys the member stack to every account of the targets that lacks one.`,
    );
  // With no instance at all, that problem above already says what to do.
  if (coverage && !coverage.checked && instances.length > 0)
    problems.push(
      `Whether every account of the targeted units has the member stack was not checked: ${shownText(coverage.reason, 300)}. Listing them needs organizations:ListAccounts (a root) or ListAccountsForParent and ListOrganizationalUnitsForParent (units); run status --org again with them.`,
    );
  return problems;
}
