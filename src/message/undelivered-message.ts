import { shownText, shownValue } from '../common/untrusted-text.js';
import { describeError } from '../errors.js';
import { parseSignal, type Signal } from '../incident/parse-incident.js';
import { manualContainSteps } from '../steps/human-steps.js';
import { type FollowUpRequest, isFollowUpEvent, readFollowUp } from '../steps/lifecycle/follow-up.js';
import { MAX_SUBJECT_LENGTH, printableAscii } from './email.js';
import { accountFlag, profileFlag } from './incident-message.js';

/*
 * EventBridge (a rule's target) and EventBridge Scheduler (a follow-up's schedule) send what they
 * could not deliver to the stack's dead-letter queue: the event as it was, and attributes saying
 * why. Nothing of exposed-keys ran for it, so this alert is all anyone hears of the incident: it
 * says what the event named, as far as it can be read, and what to do by hand.
 */

/** One message of the dead-letter queue: its body and its string attributes. */
export interface UndeliveredEvent {
  body: string;
  /** ERROR_CODE, ERROR_MESSAGE, RULE_ARN or SCHEDULE_ARN, TARGET_ARN, RETRY_ATTEMPTS, EXHAUSTED_RETRY_CONDITION. */
  attributes: Readonly<Record<string, string | undefined>>;
  /** The account of the stack (the queue's), to tell a member's key from its own. */
  stackAccount: string | null;
}

/** The alert to publish for an event that never started a response. */
export interface UndeliveredAlert {
  subject: string;
  message: string;
  /** SNS message attributes, as the incident reports carry them (`source`, `outcome`, `account`, `accessKeyId`). */
  attributes: Record<string, string>;
}

/** The `outcome` attribute of every such alert: no response started. */
export const NOT_STARTED = 'not-started';

/** How much of the event the alert quotes, in code points. */
const QUOTED_EVENT_CHARS = 4_000;

/** What the body turned out to be. */
type Content =
  | { kind: 'signal'; signal: Signal }
  | { kind: 'follow-up'; request: FollowUpRequest }
  | { kind: 'unreadable'; problem: string };

function contentOf(body: string): Content {
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    return { kind: 'unreadable', problem: 'it is not JSON' };
  }
  if (isFollowUpEvent(event)) {
    const followUp = readFollowUp(event);
    return 'request' in followUp
      ? { kind: 'follow-up', request: followUp.request }
      : { kind: 'unreadable', problem: followUp.problem };
  }
  try {
    return { kind: 'signal', signal: parseSignal(event) };
  } catch (error) {
    return { kind: 'unreadable', problem: describeError(error) };
  }
}

/** `AccessDeniedException: … (after 0 retries; MaximumEventAgeInSeconds)`, made inert. */
function whyLine(attributes: UndeliveredEvent['attributes']): string {
  const code = attributes.ERROR_CODE ?? 'unknown error';
  const text = attributes.ERROR_MESSAGE ? `: ${attributes.ERROR_MESSAGE}` : '';
  const retries = attributes.RETRY_ATTEMPTS ? `after ${attributes.RETRY_ATTEMPTS} retries` : '';
  const limit = attributes.EXHAUSTED_RETRY_CONDITION ?? '';
  const tail = [retries, limit].filter(Boolean).join('; ');
  return shownText(`${code}${text}${tail ? ` (${tail})` : ''}`, 600);
}

/** The key's account when it is not the stack's: a member's, for `--account` and `--profile`. */
function memberOf(accountId: string | null, stackAccount: string | null): string | null {
  return accountId && stackAccount && accountId !== stackAccount ? accountId : null;
}

/** The key and its account, as far as the event names them, for the message's attributes. */
function namedBy(content: Content): { accessKeyId?: string; account: string } {
  if (content.kind === 'signal')
    return content.signal.kind === 'key'
      ? { accessKeyId: content.signal.incident.accessKeyId, account: content.signal.incident.accountId }
      : { account: content.signal.quarantine.accountId };
  if (content.kind === 'follow-up')
    return { accessKeyId: content.request.accessKeyId, account: content.request.accountId ?? 'unknown' };
  return { account: 'unknown' };
}

function signalFacts(signal: Signal): string[] {
  if (signal.kind === 'user') {
    const { quarantine } = signal;
    return [
      `User:       ${shownValue(quarantine.userName, 128)} (AWS put ${quarantine.policy} on it)`,
      `Account:    ${quarantine.accountId}`,
      `Reported:   ${quarantine.detectedAt}`,
      `Event id:   ${shownValue(quarantine.eventId, 80)}`,
    ];
  }
  const { incident } = signal;
  return [
    `Key:        ${incident.accessKeyId}`,
    `User:       ${incident.userName === null ? '(not named)' : shownValue(incident.userName, 128)}`,
    `Account:    ${incident.accountId}`,
    `Reported:   ${incident.source}, ${incident.detectedAt}`,
    ...(incident.location ? [`Found at:   ${shownValue(incident.location, 200)}`] : []),
    `Event id:   ${shownValue(incident.eventId, 80)}`,
  ];
}

function signalSteps(signal: Signal, stackAccount: string | null): string[] {
  if (signal.kind === 'user') {
    const { quarantine } = signal;
    const member = memberOf(quarantine.accountId, stackAccount);
    const user = shownValue(quarantine.userName, 128);
    return [
      `List the user's keys: aws iam list-access-keys --user-name ${user}${profileFlag(member)}`,
      `Contain each active one: exposed-keys respond --key <AKIA…>${accountFlag(member)}`,
    ];
  }
  const { incident } = signal;
  const member = memberOf(incident.accountId, stackAccount);
  const userName = incident.userName === null ? null : shownValue(incident.userName, 128);
  return [
    `Contain the key now: exposed-keys respond --key ${incident.accessKeyId}${accountFlag(member)}`,
    ...manualContainSteps(incident.accessKeyId, userName, member ?? undefined).map((step, index) =>
      index === 0 ? `Or, without exposed-keys: ${step}` : step,
    ),
  ];
}

const FOLLOW_UP_NAMES: Readonly<Record<FollowUpRequest['kind'], string>> = {
  'scheduled-deletion': 'scheduled deletion',
  verification: 'verification after containment',
};

function followUpFacts(request: FollowUpRequest): string[] {
  return [
    `Key:        ${request.accessKeyId}`,
    `User:       ${shownValue(request.userName, 128)}`,
    `Account:    ${request.accountId ?? 'unknown'}`,
    `Contained:  ${request.containedAt}`,
    ...(request.deleteAt ? [`Due:        ${request.deleteAt}`] : []),
  ];
}

function followUpSteps(request: FollowUpRequest, stackAccount: string | null): string[] {
  const member = memberOf(request.accountId, stackAccount);
  const user = shownValue(request.userName, 128);
  if (request.kind === 'scheduled-deletion')
    return [
      `The key was deactivated, not deleted. Delete it by hand: aws iam delete-access-key --user-name ${user} --access-key-id ${request.accessKeyId}${profileFlag(member)}`,
    ];
  return [
    `Check by hand what the key did since containment: exposed-keys investigate --key ${request.accessKeyId}${accountFlag(member)} --start ${request.containedAt}`,
  ];
}

/** What the alert says of the event, by what it turned out to be. */
function describe(content: Content, stackAccount: string | null) {
  if (content.kind === 'signal') {
    const { signal } = content;
    const about = signal.kind === 'key' ? signal.incident.accessKeyId : shownValue(signal.quarantine.userName, 40);
    return {
      subject: `ACTION REQUIRED: exposed-keys did not start for ${about}`,
      lead: 'EventBridge could not start the exposed-keys response to a report of an exposed key. Nothing was contained, investigated or reported for it: the key may still be active.',
      facts: signalFacts(signal),
      steps: signalSteps(signal, stackAccount),
    };
  }
  if (content.kind === 'follow-up') {
    const { request } = content;
    const name = FOLLOW_UP_NAMES[request.kind];
    return {
      subject: `ACTION REQUIRED: the ${name} of ${request.accessKeyId} did not run`,
      lead: `EventBridge Scheduler could not start the ${name} of a key exposed-keys contained. It did not run.`,
      facts: followUpFacts(request),
      steps: followUpSteps(request, stackAccount),
    };
  }
  return {
    subject: 'ACTION REQUIRED: exposed-keys did not start for an event it was sent',
    lead: `EventBridge could not start the exposed-keys response to an event, which exposed-keys cannot read (${shownText(content.problem, 300)}). If it reports an exposed key, the key may still be active.`,
    facts: [],
    steps: [
      'Read the event below, or find it in the Trusted Advisor or AWS Health console, and contain the key it names: exposed-keys respond --key <AKIA…>',
    ],
  };
}

/**
 * The alert for an event that reached the dead-letter queue: what it named (a key, a quarantined
 * user, a follow-up of a contained key), why it was not delivered, what to do now by hand, and
 * the event itself, made inert and cut. Every text from the event or the attributes is made inert.
 */
export function undeliveredAlert(event: UndeliveredEvent): UndeliveredAlert {
  const content = contentOf(event.body);
  const { subject, lead, facts, steps } = describe(content, event.stackAccount);
  const sender = event.attributes.SCHEDULE_ARN
    ? `Schedule:   ${shownValue(event.attributes.SCHEDULE_ARN, 300)}`
    : `Rule:       ${shownValue(event.attributes.RULE_ARN ?? 'unknown', 300)}`;
  const lines = [
    lead,
    '',
    ...facts,
    `Why:        ${whyLine(event.attributes)}`,
    sender,
    `Target:     ${shownValue(event.attributes.TARGET_ARN ?? 'unknown', 300)}`,
    '',
    'DO NOW',
    ...[
      ...steps,
      'Then find why it could not start (the error above): exposed-keys status shows the stack; the role of the rule or schedule must be allowed to start the state machine.',
    ].map((step, index) => `${index + 1}. ${step}`),
    '',
    `THE EVENT AS DELIVERED (made inert${[...event.body].length > QUOTED_EVENT_CHARS ? ', cut' : ''})`,
    shownText(event.body, QUOTED_EVENT_CHARS),
  ];
  return {
    subject: printableAscii(subject).slice(0, MAX_SUBJECT_LENGTH),
    message: lines.join('\n'),
    attributes: { source: 'dead-letter-queue', outcome: NOT_STARTED, ...namedBy(content) },
  };
}
