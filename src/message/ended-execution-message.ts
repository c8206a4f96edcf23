import { inert, shownText, shownValue } from '../common/untrusted-text.js';
import { MAX_MESSAGE_BYTES, MAX_SUBJECT_LENGTH, printableAscii } from './email.js';
import { fitBytes } from './fit.js';
import { CUT_NOTE, chatOf, describe, type UndeliveredAlert, undeliveredContent } from './undelivered-message.js';

/*
 * An execution of the state machine can end with no report: stopped by someone (ABORTED), past its
 * time (TIMED_OUT), or failed where no Catch reaches (a state over 256 KB, a runtime error) or after
 * its notification failed both ways. Step Functions says so to EventBridge, whose rule sends it to
 * the dead-letter queue; the undelivered function alerts with this.
 */

/** An execution that ended without the report a response sends, as Step Functions describes it. */
export interface EndedExecution {
  executionArn: string;
  /** FAILED, TIMED_OUT or ABORTED. */
  status: string;
  error: string | null;
  cause: string | null;
  startDate: string | null;
  stopDate: string | null;
  /** The execution's input (the event it was started with), when Step Functions gave it. */
  input: string | null;
  /** Why DescribeExecution did not answer, when it did not: the alert then has the event's word only. */
  notLookedUp?: string;
}

/** How much of the execution's input the alert quotes, in code points. */
const QUOTED_INPUT_CHARS = 4_000;

const ENDINGS: Readonly<Record<string, string>> = {
  ABORTED: 'was STOPPED before it ended (someone called StopExecution)',
  TIMED_OUT: 'TIMED OUT before it ended',
  FAILED: 'FAILED where no step could report it',
};

function endingOf(ended: EndedExecution): string {
  return ENDINGS[ended.status] ?? `ended ${shownValue(ended.status, 40)}`;
}

/**
 * The alert for an execution that ended with no report, or whose report may not have gone out:
 * what it responded to (read from its input), how it ended and why, and what to do by hand: see
 * where it stopped, check the key, and respond by hand. Every text from Step Functions or the
 * event is made inert and cut; the whole fits SNS's size limit.
 */
export function endedExecutionAlert(ended: EndedExecution, stackAccount: string | null): UndeliveredAlert {
  const content = ended.input === null ? null : undeliveredContent(ended.input);
  const described = content ? describe(content, stackAccount) : null;
  const about = described?.about ?? 'an event it was sent';
  const arn = shownValue(ended.executionArn, 300);
  const lead = `The exposed-keys response to ${described?.report ?? 'an event (its input could not be read)'} ${endingOf(ended)}. Its report may not have gone out, and it may not have contained the key: if it names a key, the key may still be active.`;
  const steps = [
    `See where it stopped, and what it had done: aws stepfunctions describe-execution --execution-arn ${arn} (or the Step Functions console)`,
    ...(described?.steps ?? [
      'Read its input (below), and contain the key it names: exposed-keys respond --key <AKIA…>',
    ]),
    ...(ended.status === 'ABORTED'
      ? ['Find who stopped it, and why: CloudTrail, StopExecution on the state machine.']
      : ['Then find why it ended so (Why, below): exposed-keys status shows the stack.']),
  ];
  const why = [ended.error, ended.cause].filter((part): part is string => part !== null && part !== '');
  const input = ended.input ?? '';
  const quoted = shownText(input, QUOTED_INPUT_CHARS);
  const lines = [
    lead,
    '',
    ...(described?.facts ?? []),
    `Execution:  ${arn}`,
    `Ended:      ${shownValue(ended.status, 40)}${ended.stopDate ? ` at ${shownValue(ended.stopDate, 40)}` : ''}${ended.startDate ? ` (started ${shownValue(ended.startDate, 40)})` : ''}`,
    `Why:        ${why.length > 0 ? shownText(why.join(': '), 1_000) : 'not given'}`,
    ...(ended.notLookedUp
      ? [
          `Note:       Step Functions could not be asked about it (${shownText(ended.notLookedUp, 300)}): this is what its event said.`,
        ]
      : []),
    '',
    'DO NOW',
    ...steps.map((step, index) => `${index + 1}. ${step}`),
    '',
    `ITS INPUT (made inert${quoted === inert(input) ? '' : ', cut'})`,
    quoted || '(not given)',
  ];
  const subject = printableAscii(`ACTION REQUIRED: the exposed-keys response to ${about} ended with no report`).slice(
    0,
    MAX_SUBJECT_LENGTH,
  );
  const attributes = {
    source: described?.source ?? 'unknown',
    outcome: 'response-ended',
    account: described?.account ?? stackAccount ?? 'unknown',
    ...(described?.accessKeyId ? { accessKeyId: described.accessKeyId } : {}),
  };
  return {
    subject,
    message: fitBytes(lines.join('\n'), MAX_MESSAGE_BYTES, CUT_NOTE),
    attributes,
    chat: chatOf(subject, lead, steps, attributes, 'The e-mail has how it ended, and its input.'),
  };
}

/**
 * The alert when the full one could not be made, or SNS refused it: fixed text but the execution's
 * ARN (Step Functions' own, made inert), so that it always goes out.
 */
export function fallbackEndedAlert(executionArn: string): Pick<UndeliveredAlert, 'subject' | 'message' | 'attributes'> {
  return {
    subject: 'ACTION REQUIRED: an exposed-keys response ended with no report',
    message: `An execution of the exposed-keys state machine ended without success, and with no report: ${shownValue(executionArn, 300)}. If the event it responded to names a key, the key may still be active. See its input and where it stopped: aws stepfunctions describe-execution --execution-arn <the ARN above>; then contain the key it names: exposed-keys respond --key <AKIA…>`,
    attributes: { source: 'unknown', outcome: 'response-ended', account: 'unknown' },
  };
}
