import { shellWord } from '../common/shell-words.js';
import { inert, shownText, shownValue } from '../common/untrusted-text.js';
import { describeError, SeveralKeysError } from '../errors.js';
import { formatCount } from '../format/plain-table.js';
import { unreadKeyAccount } from '../incident/health.js';
import { parseSignal, type Signal } from '../incident/parse-incident.js';
import { manualContainSteps } from '../steps/human-steps.js';
import { type FollowUpRequest, isFollowUpEvent, readFollowUp } from '../steps/lifecycle/follow-up.js';
import { CHAT_LIMITS, type CustomNotification, chatNextSteps, chatText } from './chat.js';
import { MAX_MESSAGE_BYTES, MAX_SUBJECT_LENGTH, printableAscii } from './email.js';
import { fitBytes, fitWithin } from './fit.js';
import { accountFlag, profileFlag } from './incident-message.js';

/*
 * EventBridge (a rule's target) and EventBridge Scheduler (a follow-up's schedule) send what they
 * could not deliver to the stack's dead-letter queue: the event as it was, and attributes saying
 * why. The undelivered function starts the response again itself, then alerts: this says what
 * the event named, as far as it can be read, whether the response now runs, and what to do by hand.
 */

/** What became of the undelivered function's own attempt to start the response. */
export type RestartOutcome =
  | { status: 'started'; executionArn: string }
  | {
      status: 'failed';
      error: string;
      /**
       * A passing failure (throttling, a 5xx, a time-out) with tries left: the message stays on the
       * queue and the state machine is started again when it comes back, in `afterMinutes`.
       */
      again?: { afterMinutes: number; triesLeft: number };
    }
  /** Not sent to the state machine, and why (not an event exposed-keys acts on, not from the queue). */
  | { status: 'not-tried'; reason: string };

/** One message of the dead-letter queue: its body and its string attributes. */
export interface UndeliveredEvent {
  body: string;
  /** ERROR_CODE, ERROR_MESSAGE, RULE_ARN or SCHEDULE_ARN, TARGET_ARN, RETRY_ATTEMPTS, EXHAUSTED_RETRY_CONDITION. */
  attributes: Readonly<Record<string, string | undefined>>;
  /** The account of the stack (the queue's), to tell a member's key from its own. */
  stackAccount: string | null;
  restart: RestartOutcome;
}

/** The alert to publish for an event that EventBridge or Scheduler could not deliver. */
export interface UndeliveredAlert {
  subject: string;
  message: string;
  /** SNS message attributes, as the incident reports carry them (`source`, `outcome`, `account`, `accessKeyId`). */
  attributes: Record<string, string>;
  /** The same, as a chat custom notification, threaded by key. */
  chat: CustomNotification;
}

/** The `outcome` attribute: the response started late, by the undelivered function, or not at all. */
export const UNDELIVERED_OUTCOMES = { started: 'started-late', failed: 'not-started', 'not-tried': 'not-started' };

/** How much of the event the alert quotes, in code points. */
const QUOTED_EVENT_CHARS = 4_000;

/** How many keys of an event naming several the alert lists, each with its command; the rest are counted. */
export const LISTED_KEYS = 50;

/** Ends an alert cut to fit SNS's size limit; the event, quoted last, is what the cut takes first. */
export const CUT_NOTE = "\n\n[… alert cut here to fit SNS's size limit]";

/** What the body turned out to be. */
export type UndeliveredContent =
  | { kind: 'signal'; signal: Signal }
  | { kind: 'follow-up'; request: FollowUpRequest }
  | { kind: 'several-keys'; keys: readonly string[]; accountId: string | null }
  | { kind: 'unreadable'; problem: string };

const ACCOUNT = /^\d{12}$/;

/** The account a Health event's keys are in, read loosely (the event was refused whole), when it is one. */
function looseAccount(event: unknown): string | null {
  const { account } = unreadKeyAccount(event);
  return typeof account === 'string' && ACCOUNT.test(account) ? account : null;
}

/** What a dead-letter message's body is: an event exposed-keys acts on, one naming several keys, or neither. */
export function undeliveredContent(body: string): UndeliveredContent {
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
    if (error instanceof SeveralKeysError)
      return { kind: 'several-keys', keys: error.keys, accountId: looseAccount(event) };
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

/**
 * The key's account when it is not the stack's: a member's, for `--account` and `--profile`. When
 * the stack's account is unknown, any account the event names is taken as a member's, so that no
 * command acts on the wrong account.
 */
function memberOf(accountId: string | null, stackAccount: string | null): string | null {
  return accountId && accountId !== stackAccount ? accountId : null;
}

/** What an event named, as an alert about it says it. */
export interface Described {
  /** What was reported, for the subject: a key, a user, a follow-up. */
  about: string;
  /** What the response would have done, for the lead. */
  report: string;
  facts: string[];
  /** What to do by hand when the response did not start. */
  steps: string[];
  source: string;
  accessKeyId?: string;
  account: string;
}

function describeSignal(signal: Signal, stackAccount: string | null): Described {
  if (signal.kind === 'user') {
    const { quarantine } = signal;
    const member = memberOf(quarantine.accountId, stackAccount);
    const user = shownValue(quarantine.userName, 128);
    return {
      about: `user ${shownValue(quarantine.userName, 40)}`,
      report: `a user AWS quarantined (${quarantine.policy})`,
      facts: [
        `User:       ${user}`,
        `Account:    ${quarantine.accountId}`,
        `Reported:   ${quarantine.detectedAt}`,
        `Event id:   ${shownValue(quarantine.eventId, 80)}`,
      ],
      steps: [
        `List the user's keys: aws iam list-access-keys --user-name ${shellWord(user)}${profileFlag(member)}`,
        `Contain each active one: exposed-keys respond --key <AKIA…>${accountFlag(member)}`,
      ],
      source: quarantine.source,
      account: quarantine.accountId,
    };
  }
  const { incident } = signal;
  const member = memberOf(incident.accountId, stackAccount);
  const userName = incident.userName === null ? null : shownValue(incident.userName, 128);
  return {
    about: incident.accessKeyId,
    report: 'a report of an exposed key',
    facts: [
      `Key:        ${incident.accessKeyId}`,
      `User:       ${userName ?? '(not named)'}`,
      `Account:    ${incident.accountId}`,
      `Reported:   ${incident.source}, ${incident.detectedAt}`,
      ...(incident.location ? [`Found at:   ${shownValue(incident.location, 200)}`] : []),
      `Event id:   ${shownValue(incident.eventId, 80)}`,
      ...(incident.notes ?? []).map((note) => `Note:       ${shownText(note, 300)}`),
    ],
    steps: [
      `Contain the key: exposed-keys respond --key ${incident.accessKeyId}${accountFlag(member)}`,
      ...manualContainSteps(incident.accessKeyId, userName, member ?? undefined).map((step, index) =>
        index === 0 ? `Or, without exposed-keys: ${step}` : step,
      ),
    ],
    source: incident.source,
    accessKeyId: incident.accessKeyId,
    account: incident.accountId,
  };
}

const FOLLOW_UP_NAMES: Readonly<Record<FollowUpRequest['kind'], string>> = {
  'scheduled-deletion': 'scheduled deletion',
  verification: 'verification after containment',
};

function describeFollowUp(request: FollowUpRequest, stackAccount: string | null): Described {
  const member = memberOf(request.accountId, stackAccount);
  const user = shownValue(request.userName, 128);
  const key = request.accessKeyId;
  const steps =
    request.kind === 'scheduled-deletion'
      ? [
          `Check the key first: aws iam list-access-keys --user-name ${shellWord(user)}${profileFlag(member)}. Delete it only if it is still Inactive (a key made active again was released, or someone must say why): aws iam delete-access-key --user-name ${shellWord(user)} --access-key-id ${key}${profileFlag(member)}`,
        ]
      : [
          `Check by hand what the key did since containment: exposed-keys investigate --key ${key}${accountFlag(member)} --start ${request.containedAt}`,
        ];
  return {
    about: `the ${FOLLOW_UP_NAMES[request.kind]} of ${key}`,
    report: `the ${FOLLOW_UP_NAMES[request.kind]} of a key exposed-keys contained`,
    facts: [
      `Key:        ${key}`,
      `User:       ${user}`,
      `Account:    ${request.accountId ?? 'unknown'}`,
      `Contained:  ${request.containedAt}`,
      ...(request.deleteAt ? [`Due:        ${request.deleteAt}`] : []),
    ],
    steps,
    source: 'exposed-keys',
    accessKeyId: key,
    account: request.accountId ?? 'unknown',
  };
}

function describeSeveralKeys(
  content: Extract<UndeliveredContent, { kind: 'several-keys' }>,
  stackAccount: string | null,
): Described {
  const member = memberOf(content.accountId, stackAccount);
  // A Health event may name thousands of keys: a fact and a step for each would pass SNS's size
  // limit, and no alert would go out at all.
  const listed = content.keys.slice(0, LISTED_KEYS);
  const more = content.keys.length - listed.length;
  const count = formatCount(content.keys.length);
  const rest = `the AWS Health console lists them all (the event's affected resources)`;
  return {
    about: `${count} keys`,
    report: `a report naming ${count} exposed keys`,
    facts: [
      ...(more > 0 ? [`Keys:       ${count}; the first ${listed.length} are listed`] : []),
      ...listed.map((key) => `Key:        ${key}`),
      ...(more > 0 ? [`Key:        … and ${formatCount(more)} more: ${rest}`] : []),
      `Account:    ${content.accountId ?? 'unknown'}`,
    ],
    steps: [
      ...listed.map((key) => `Contain ${key}: exposed-keys respond --key ${key}${accountFlag(member)}`),
      ...(more > 0
        ? [
            `Contain the ${formatCount(more)} other keys the same way, one by one: exposed-keys respond --key <AKIA…>${accountFlag(member)}; ${rest}`,
          ]
        : []),
    ],
    source: 'health',
    account: content.accountId ?? 'unknown',
  };
}

/** What an event exposed-keys was sent names, for an alert: a key, several, a quarantined user, a follow-up. */
export function describe(content: UndeliveredContent, stackAccount: string | null): Described {
  if (content.kind === 'signal') return describeSignal(content.signal, stackAccount);
  if (content.kind === 'follow-up') return describeFollowUp(content.request, stackAccount);
  if (content.kind === 'several-keys') return describeSeveralKeys(content, stackAccount);
  return {
    about: 'an event it was sent',
    report: `an event exposed-keys cannot read (${shownText(content.problem, 300)})`,
    facts: [],
    steps: [
      'Read the event below, or find it in the Trusted Advisor or AWS Health console, and contain the key it names: exposed-keys respond --key <AKIA…>',
    ],
    source: 'unknown',
    account: 'unknown',
  };
}

/** What a restart that failed in passing does next, for the alert: '' when it tries no more. */
function triesAgain(restart: Extract<RestartOutcome, { status: 'failed' }>): string {
  const { again } = restart;
  if (!again) return '';
  const times = again.triesLeft === 1 ? 'once more' : `up to ${again.triesLeft} more times`;
  return `It tries again in ${again.afterMinutes} minutes (${times}), with an alert each time, until it starts. Until then, `;
}

function leadOf(described: Described, sender: string, restart: RestartOutcome): string {
  const failed = `${sender} could not start the exposed-keys response to ${described.report}.`;
  if (restart.status === 'started')
    return `${failed} exposed-keys started it again itself: its own report follows. If none comes within 15 minutes, act as below.`;
  if (restart.status === 'failed')
    return `${failed} exposed-keys could not start it again either (${shownText(restart.error, 400)}). ${triesAgain(restart)}Nothing was done for it: if it reports a key, the key may still be active.`;
  return `${failed} exposed-keys did not start it again: ${shownText(restart.reason, 400)}. Nothing was done for it: if it reports a key, the key may still be active.`;
}

function subjectOf(described: Described, restart: RestartOutcome): string {
  const subject =
    restart.status === 'started'
      ? `exposed-keys started late for ${described.about}: check its report`
      : `ACTION REQUIRED: exposed-keys did not start for ${described.about}`;
  return printableAscii(subject).slice(0, MAX_SUBJECT_LENGTH);
}

/** An alert as a chat custom notification, threaded by key. */
export function chatOf(
  subject: string,
  lead: string,
  steps: readonly string[],
  attributes: Record<string, string>,
  more = 'The e-mail has the event and why it was not delivered.',
) {
  const thread = attributes.accessKeyId ?? `undelivered-${attributes.account}`;
  return {
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title: chatText(`:rotating_light: ${subject}`, CHAT_LIMITS.title),
      description: chatText(`${lead}\n${more}`, CHAT_LIMITS.description),
      nextSteps: chatNextSteps(steps),
      keywords: ['exposed-keys', attributes.outcome, attributes.source, attributes.account].map((word) =>
        chatText(word ?? 'unknown', CHAT_LIMITS.keyword),
      ),
    },
    metadata: {
      threadId: fitWithin(thread, CHAT_LIMITS.threadId),
      summary: chatText(subject, CHAT_LIMITS.summary),
      eventType: 'ExposedAccessKey',
      additionalContext: attributes,
    },
  } satisfies CustomNotification;
}

/**
 * The alert for an event that reached the dead-letter queue: what it named (a key, several, a
 * quarantined user, a follow-up of a contained key), whether the response now runs, why it was
 * not delivered, what to do by hand, and the event itself, made inert and cut. Every text from
 * the event or the attributes is made inert; the first {@link LISTED_KEYS} keys of an event naming
 * more are listed, the rest counted, and the whole is cut to fit SNS's size limit.
 */
export function undeliveredAlert(event: UndeliveredEvent, content = undeliveredContent(event.body)): UndeliveredAlert {
  const described = describe(content, event.stackAccount);
  const sender = event.attributes.SCHEDULE_ARN ? 'EventBridge Scheduler' : 'EventBridge';
  const lead = leadOf(described, sender, event.restart);
  const steps = [
    ...(event.restart.status === 'started'
      ? [`Read the report of the execution started again: ${event.restart.executionArn}`]
      : []),
    ...described.steps,
    'Then find why it could not start (Why, below): exposed-keys status shows the stack; the role of the rule or schedule must be allowed to start the state machine.',
  ];
  const quoted = shownText(event.body, QUOTED_EVENT_CHARS);
  const lines = [
    lead,
    '',
    ...described.facts,
    `Why:        ${whyLine(event.attributes)}`,
    event.attributes.SCHEDULE_ARN
      ? `Schedule:   ${shownValue(event.attributes.SCHEDULE_ARN, 300)}`
      : `Rule:       ${shownValue(event.attributes.RULE_ARN ?? 'unknown', 300)}`,
    `Target:     ${shownValue(event.attributes.TARGET_ARN ?? 'unknown', 300)}`,
    '',
    event.restart.status === 'started' ? 'TO DO' : 'DO NOW',
    ...steps.map((step, index) => `${index + 1}. ${step}`),
    '',
    `THE EVENT AS DELIVERED (made inert${quoted === inert(event.body) ? '' : ', cut'})`,
    quoted,
  ];
  const subject = subjectOf(described, event.restart);
  const attributes = {
    source: described.source,
    outcome: UNDELIVERED_OUTCOMES[event.restart.status],
    account: described.account,
    ...(described.accessKeyId ? { accessKeyId: described.accessKeyId } : {}),
  };
  return {
    subject,
    message: fitBytes(lines.join('\n'), MAX_MESSAGE_BYTES, CUT_NOTE),
    attributes,
    chat: chatOf(subject, lead, steps, attributes),
  };
}

/**
 * The alert when the message itself could not be made into one, or SNS refused the one it was
 * made into (`refused`): fixed text, none of it from the event, so that it always goes out; it
 * says whether the response was started again.
 */
export function fallbackUndeliveredAlert(
  messageId: string,
  restart: RestartOutcome,
  refused = false,
): Pick<UndeliveredAlert, 'subject' | 'message' | 'attributes'> {
  const started = restart.status === 'started';
  const undescribed = refused ? 'SNS refused the alert that described it' : 'exposed-keys could not describe it';
  const state = started
    ? `exposed-keys started the response again itself (${shownValue(restart.executionArn, 300)}): its own report follows.`
    : `${restart.status === 'failed' ? triesAgain(restart) : ''}If it reports a key, the key may still be active.`;
  return {
    subject: started
      ? 'exposed-keys started late for an event it was sent: check its report'
      : 'ACTION REQUIRED: exposed-keys did not start for an event it was sent',
    message: `EventBridge or EventBridge Scheduler could not start the exposed-keys response to an event, and ${undescribed}. ${state} The function's log (/aws/lambda/<stack>-undelivered) holds the message ${shownValue(messageId, 100)}; read it, or the Trusted Advisor or AWS Health console, and contain the key it names: exposed-keys respond --key <AKIA…>`,
    attributes: { source: 'unknown', outcome: UNDELIVERED_OUTCOMES[restart.status], account: 'unknown' },
  };
}
