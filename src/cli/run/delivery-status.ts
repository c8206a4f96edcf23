import { DescribeRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { EventBridgeApi, LambdaApi } from '../../aws/narrow-clients.js';
import type { StackDescription } from '../../deploy/stack-description.js';
import { describeError } from '../../errors.js';

/**
 * One of the stack's rules, and whether EventBridge sends it events (`ENABLED`; {@link GONE_RULE}
 * when EventBridge no longer knows it: deleted by hand), with its bus when it is not the default
 * one (the hub's: a command about the rule must name it); or why it could not be read.
 */
export type RuleStatus = ({ name: string; state: string; eventBusName?: string } | { name: string; error: string }) & {
  /** The rule's logical id in the template, when the stack's description gave it. */
  logicalId?: string;
};

/**
 * Whether the function that alerts on the dead-letter queue reads it (`Enabled`; {@link GONE_READER}
 * when Lambda no longer knows the mapping); or why that could not be read.
 */
export type QueueReaderStatus = { state: string; uuid: string } | { error: string };

/** The state shown for a rule of the stack EventBridge no longer knows. */
export const GONE_RULE = 'DELETED';
/** The state shown for the dead-letter queue's mapping Lambda no longer knows. */
export const GONE_READER = 'Deleted';

/** What carries events to the state machine and alerts past it, besides the topic. */
export interface DeliveryStatus {
  rules: RuleStatus[];
  /** Null for a stack without the mapping (older than the queue). */
  queueReader: QueueReaderStatus | null;
}

/** The logical id of the rule on the state machine's executions that did not succeed (CloudFormation names the rule after it). */
const ENDED_RULE = 'ResponseEndedRule';

/** The logical id of the mapping from the dead-letter queue to its function (cloudformation/exposed-keys.yaml). */
const QUEUE_READER = 'UndeliveredEventSource';

/** A rule's physical id: its name on the default bus, `<bus>|<name>` on another. */
function ruleOf(physicalId: string): { Name: string; EventBusName?: string } {
  const at = physicalId.indexOf('|');
  return at < 0 ? { Name: physicalId } : { EventBusName: physicalId.slice(0, at), Name: physicalId.slice(at + 1) };
}

/**
 * Whether each of the stack's rules is enabled (a rule disabled by hand sends nothing to the state
 * machine, and nothing says so), and whether the dead-letter queue's function reads the queue. A
 * failure to read either is shown, not thrown: the rest of the status stands.
 */
export async function deliveryStatus(
  deps: { events: EventBridgeApi; lambda: LambdaApi },
  stack: StackDescription,
): Promise<DeliveryStatus> {
  const rules = await Promise.all(
    stack.resources
      .filter((resource) => resource.type === 'AWS::Events::Rule' && resource.physicalId)
      .map(async (resource): Promise<RuleStatus> => {
        const rule = ruleOf(resource.physicalId as string);
        const id = resource.logicalId ? { logicalId: resource.logicalId } : {};
        // A rule on another bus is `<bus>|<name>`; an emulator gives the name alone: the stack's hub bus is tried too.
        const places = rule.EventBusName ? [rule] : [rule, { ...rule, EventBusName: `${stack.stackName}-hub` }];
        let failure: unknown;
        for (const place of places)
          try {
            const answer = await deps.events.send(new DescribeRuleCommand(place));
            const bus =
              place.EventBusName && place.EventBusName !== 'default' ? { eventBusName: place.EventBusName } : {};
            return { name: rule.Name, state: answer.State ?? 'UNKNOWN', ...bus, ...id };
          } catch (error) {
            failure = error;
            if (!isAwsError(error, 'ResourceNotFound')) break;
          }
        // Not found wherever it could be: deleted by hand, and nothing it matched reaches the state machine.
        if (isAwsError(failure, 'ResourceNotFound')) return { name: rule.Name, state: GONE_RULE, ...id };
        return { name: rule.Name, error: describeError(toAwsCallError('events:DescribeRule', failure)), ...id };
      }),
  );
  const mapping = stack.resources.find((resource) => resource.logicalId === QUEUE_READER)?.physicalId;
  let queueReader: QueueReaderStatus | null = null;
  if (mapping)
    try {
      const answer = await deps.lambda.send(new GetEventSourceMappingCommand({ UUID: mapping }));
      queueReader = { state: answer.State ?? 'Unknown', uuid: mapping };
    } catch (error) {
      queueReader = isAwsError(error, 'ResourceNotFound')
        ? { state: GONE_READER, uuid: mapping }
        : { error: describeError(toAwsCallError('lambda:GetEventSourceMapping', error)) };
    }
  return { rules: rules.sort((a, b) => (a.name < b.name ? -1 : 1)), queueReader };
}

/** Rule states in which EventBridge sends the rule's events on. */
const SENDING = new Set(['ENABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']);

/** Whether a rule in `state` sends its events on. */
export function isSending(state: string): boolean {
  return SENDING.has(state);
}
/** Mapping states on the way to reading the queue: not a problem, only not done yet. */
export const READER_STARTING: ReadonlySet<string> = new Set(['Enabling', 'Updating', 'Creating']);
/** Mapping states in which Lambda reads, or is about to read, the queue. */
const READING = new Set(['Enabled', ...READER_STARTING]);

/**
 * How to make again a resource of the stack deleted by hand: an update does not, since CloudFormation
 * re-creates nothing deleted behind its back while the template is the same; a new stack does.
 */
function makeAgain(stack: { stackName: string; organization: boolean }): string {
  const name = `--stack-name ${stack.stackName}`;
  return `A deploy does not make it again (CloudFormation does not re-create what was deleted behind its back): remove the stack and deploy it anew, giving its settings again (exposed-keys destroy ${name}, which names the follow-ups it would cancel before it asks; then exposed-keys deploy${stack.organization ? ' --org' : ''} ${name}).`;
}

/**
 * What in the delivery keeps events from the state machine, or alerts from going out: each with
 * what to do. A rule or a reader the caller may not read is shown, not counted: a monitoring role
 * without `events:DescribeRule` or `lambda:GetEventSourceMapping` would otherwise never pass.
 */
export function deliveryProblems(
  delivery: DeliveryStatus | undefined,
  stack: { stackName: string; organization: boolean },
): string[] {
  if (!delivery) return [];
  const problems: string[] = [];
  for (const rule of delivery.rules) {
    if ('error' in rule) continue;
    // The one rule that does not feed the state machine: it tells of executions that ended with no report.
    const lost =
      rule.logicalId === ENDED_RULE
        ? 'an execution that ends with no report is not alerted'
        : 'the events it matches never reach the state machine';
    if (rule.state === GONE_RULE)
      problems.push(
        `The rule ${rule.name} no longer exists: ${lost.replace('matches', 'matched')}. ${makeAgain(stack)}`,
      );
    else if (!SENDING.has(rule.state)) {
      // A rule on another bus than the default is found only with its bus named.
      const bus = rule.eventBusName ? ` --event-bus-name ${rule.eventBusName}` : '';
      problems.push(
        `The rule ${rule.name} is ${rule.state}: ${lost}. Enable it: aws events enable-rule --name ${rule.name}${bus} --region us-east-1.`,
      );
    }
  }
  const reader = delivery.queueReader;
  if (reader && !('error' in reader) && !READING.has(reader.state)) {
    const gone = reader.state === GONE_READER || reader.state === 'Deleting';
    problems.push(
      `The function that alerts on the dead-letter queue does not read it (its mapping is ${reader.state}): what the state machine never received stays unalerted. ${gone ? makeAgain(stack) : `Enable it: aws lambda update-event-source-mapping --uuid ${reader.uuid} --enabled --region us-east-1.`}`,
    );
  }
  return problems;
}
