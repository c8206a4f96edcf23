import type { DeployMessage } from '../../deploy/run-deploy.js';
import type { DestroyMessage } from '../../deploy/run-destroy.js';
import type { OrgDeployMessage } from '../../organization/deploy/run-org-deploy.js';
import type { OrgDestroyMessage } from '../../organization/deploy/run-org-destroy.js';
import type { Output, Progress } from '../output.js';
import { renderOrganizationPlan } from '../render/organization.js';
import { renderChangeSet, renderStackEvent } from '../render/stack.js';

/** Anything the deploy and destroy flows tell, in one account or an organisation. */
export type DeployFlowMessage = DeployMessage | DestroyMessage | OrgDeployMessage | OrgDestroyMessage;

/**
 * How `deploy` and `destroy` show what their flows tell: steps on the progress line; stack events,
 * StackSet operations, the change set and the organisation's plan as lines of their own. The
 * change set and the plan are what the question that follows is about: shown with --json too when
 * `asking` (no --yes, and the change set is to be executed).
 */
export function showDeployMessages(
  output: Output,
  progress: Progress,
  asking: boolean,
): (message: DeployFlowMessage) => void {
  return (message) => {
    if (message.kind === 'step') progress.step(message.text);
    else if (message.kind === 'stack-event') output.info(renderStackEvent(message.event, output.stderrPalette));
    else if (message.kind === 'operation')
      output.info(`StackSet ${message.action} ${message.operationId}: ${message.status}`);
    else {
      progress.stop();
      output.beforeQuestion(
        message.kind === 'org-plan'
          ? renderOrganizationPlan(message.plan, output.stderrPalette)
          : renderChangeSet(message.changeSet, output.stderrPalette),
        asking,
      );
    }
  };
}
