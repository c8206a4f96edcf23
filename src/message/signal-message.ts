import { ownEntry } from '../common/own-entry.js';
import { shellCommand } from '../common/shell-words.js';
import { shownText, shownValue } from '../common/untrusted-text.js';
import { manualContainSteps, rootKeySteps } from '../steps/human-steps.js';
import type { IncidentReport } from '../steps/incident-outcome.js';
import {
  coveringIncidents,
  goneUnexplained,
  needsHuman,
  notInThisAccount,
  quarantineReceivedAt,
  uncoveredActiveKeys,
} from '../steps/incident-outcome.js';
import type { IncidentRecord } from '../steps/signals/incident-record.js';
import type { SignalReceipt } from '../steps/signals/receive-signal.js';
import { responseUnderWay } from '../steps/signals/response-under-way.js';
import { accountLine, HEADLINES, type IncidentMessage, memberAccount, SOURCE_NAMES } from './incident-message.js';

/*
 * The short messages of signals that do not run a response of their own: a later report of a key
 * whose incident is open (a follow-up), and AWS quarantining a user (which names no key). Same
 * model as a full incident message, so every channel renders them alike.
 */

type Joined = Extract<SignalReceipt, { role: 'joined' }>;
type Quarantine = Extract<SignalReceipt, { role: 'quarantine' }>;

/** How many of a quarantined user's keys get a `respond` line of their own. */
const KEYS_WITH_STEPS = 5;

function sourceName(source: string): string {
  return ownEntry(SOURCE_NAMES, source) ?? shownValue(source, 40);
}

/*
 * The record's texts are made inert and cut where they are read (incident-record.ts); they are
 * again here, where every text from outside is, so that a record built elsewhere cannot slip by.
 */

/** When the incident was opened, as its record says. */
export function openedAt(record: IncidentRecord): string {
  return record.openedAt === '' ? 'an unknown time' : shownValue(record.openedAt, 40);
}

/** What the first response ended with, and when: `deleted at 2026-11-26T22:00:09.000Z`. */
export function endedWith(response: NonNullable<IncidentRecord['response']>): string {
  return `${shownValue(response.outcome, 40)} at ${shownValue(response.at, 40)}`;
}

function responseLine(record: IncidentRecord, overdue = false): string {
  const response = record.response;
  if (!response && overdue)
    return `started at ${openedAt(record)} and has recorded nothing since: it may have FAILED (see the state machine's executions)`;
  if (!response) return `under way since ${openedAt(record)} (its message says what it did)`;
  return `${endedWith(response)}${response.contained ? '' : ', key NOT contained'}`;
}

function joinedKeyNow(signal: Joined): string {
  const { keyNow, record } = signal;
  switch (keyNow.status) {
    case 'gone':
      if (goneUnexplained(signal))
        return signal.overdue
          ? `NOT SHOWN CONTAINED: this account's IAM does not have it, and the first response, started at ${openedAt(record)}, has recorded nothing since: it may have failed, and the key may never have been here (another account's).`
          : `NOT SHOWN CONTAINED: this account's IAM does not have it, which shows nothing until the first response, under way since ${openedAt(record)}, records what it found: the key may never have been here (another account's).`;
      return notInThisAccount(signal)
        ? `NOT CONTAINED: this account's IAM does not have it, and the first response ended with ${record.response ? endedWith(record.response) : 'unknown'}: nothing was touched.`
        : 'GONE: IAM no longer has it.';
    case 'inactive':
      return 'INACTIVE: it can no longer be used.';
    case 'unknown':
      return keyNow.rootUser
        ? `Not known now: ${shownText(keyNow.error, 300)}.`
        : `Not known now: IAM could not be asked (${shownText(keyNow.error, 300)}).`;
    default:
      if (signal.released)
        return `STILL ACTIVE: contained by the first response, then active again; the user's record of the key says it was released (${shownValue(signal.released)}).`;
      if (record.response) return `STILL ACTIVE: the first response ended with ${endedWith(record.response)}.`;
      return signal.overdue
        ? `STILL ACTIVE: the first response, started at ${openedAt(record)}, has recorded nothing since: it may have failed.`
        : `ACTIVE: the first response, started at ${openedAt(record)}, is still under way.`;
  }
}

/** What IAM shows of a joined signal's key, in a few words. */
function keyShown(signal: Joined): string {
  switch (signal.keyNow.status) {
    case 'active':
      return 'the key is ACTIVE';
    case 'inactive':
      return 'the key is inactive';
    case 'gone':
      return notInThisAccount(signal) || goneUnexplained(signal)
        ? "this account's IAM does not have the key"
        : 'the key is gone from IAM';
    default:
      return 'IAM cannot show the key now';
  }
}

/**
 * What this report did, which is nothing, said from the record and the key as IAM shows it: the key
 * is said contained once only when the first response contained it and IAM does not show it
 * active.
 */
function joinedDone(signal: Joined): string {
  const { record, keyNow } = signal;
  const response = record.response;
  if (signal.released)
    return `Nothing was changed: the first response contained the key, and the user's record of the key says it was released since (${shownValue(signal.released)}); check with whoever released it.`;
  if (!response)
    return signal.overdue
      ? `Nothing was changed: the response to the first report (opened at ${openedAt(record)}) has recorded nothing, so nothing shows it contained the key; ${keyShown(signal)}.`
      : `Nothing was changed: containing the key is left to the response to the first report, under way since ${openedAt(record)}; ${keyShown(signal)}.`;
  if (response.outcome === 'notify-only')
    return `Nothing was changed: the response to the first report was notify-only (at ${shownValue(response.at, 40)}), which leaves the key to a person; ${keyShown(signal)}.`;
  if (response.contained && (keyNow.status === 'inactive' || keyNow.status === 'gone'))
    return `Nothing was changed: the key is contained once, by the response to the first report (${endedWith(response)}).`;
  const by = response.contained
    ? `the response to the first report contained it (${endedWith(response)})${keyNow.status === 'active' ? ', and it was made active since' : ''}`
    : `the response to the first report did not contain it (${endedWith(response)})`;
  return `Nothing was changed: ${keyShown(signal)}; ${by}.`;
}

/**
 * What happened: a later report of the key, or the very report that opened the incident delivered
 * again (EventBridge delivers at least once, and a redrive sends it again).
 */
function joinedHappened(report: IncidentReport, signal: Joined): string {
  const { record } = signal;
  const source = sourceName(report.incident?.source ?? 'unknown');
  const joined = 'It joined that incident rather than starting a second response.';
  if (report.incident?.eventId !== undefined && report.incident.eventId === record.firstEventId)
    return `${source} delivered its report of ${record.accessKeyId} in account ${record.accountId} again: the report that opened the incident at ${openedAt(record)}. ${joined}`;
  return `${source} reported ${record.accessKeyId} in account ${record.accountId} again: report ${record.signals} of the incident opened at ${openedAt(record)} by ${sourceName(record.firstSource)}. ${joined}`;
}

/** The follow-up of a signal that joined the open incident of its key. */
function joinedMessage(report: IncidentReport, signal: Joined): IncidentMessage {
  const incident = report.incident;
  const { record } = signal;
  const urgent = needsHuman(report);
  // The key is not in this account's IAM, and the first response did not contain it (another account's, say).
  const notHere = notInThisAccount(signal);
  const owner =
    (signal.keyNow.status === 'active' || signal.keyNow.status === 'inactive' ? signal.keyNow.userName : null) ??
    record.response?.userName ??
    incident?.userName ??
    record.reportedUserName ??
    null;
  const source = incident?.source ?? 'unknown';
  return {
    outcome: 'joined',
    headline: urgent
      ? `ACTION REQUIRED: exposed key reported again and ${signal.keyNow.status === 'active' ? 'still active' : 'not contained'}`
      : HEADLINES.joined,
    urgent,
    happened: joinedHappened(report, signal),
    keyNow: joinedKeyNow(signal),
    attackerDid: ['see the first message of this incident: the investigation is not repeated.'],
    doNow: notHere
      ? [
          `Follow the steps of the first message of this incident: the key is not in this account's IAM and was not contained (${shownValue(record.response?.outcome ?? 'unknown', 40)}).`,
        ]
      : urgent
        ? signal.keyNow.status === 'unknown' && signal.keyNow.rootUser
          ? rootKeySteps(record.accessKeyId)
          : manualContainSteps(
              record.accessKeyId,
              owner,
              memberAccount(report.actedFrom, record.accountId) ?? undefined,
            )
        : ['Nothing new to do: follow the steps of the first message of this incident.'],
    facts: [
      ['Access key', record.accessKeyId],
      ['Account', record.accountId],
      ['Reported by', sourceName(source)],
      ['Event id', shownValue(incident?.eventId ?? report.rawEventId ?? 'unknown')],
      [
        'Incident',
        `opened ${openedAt(record)} by ${sourceName(record.firstSource)} (event ${shownValue(record.firstEventId, 128)})`,
      ],
      ['Reports', `${record.signals}, from ${record.sources.map(sourceName).join(', ')}`],
      ['Response', responseLine(record, signal.overdue)],
    ],
    done: [joinedDone(signal)],
    verdict: [],
    left: [],
    activity: [],
    accessKeyId: record.accessKeyId,
    userName: owner,
    accountId: record.accountId,
    account: accountLine(record.accountId, null),
    accountName: null,
    source,
  };
}

function keyLine(key: Quarantine['user']['keys'][number]): string {
  const used = key.lastUsedAt
    ? `last used ${key.lastUsedAt}${key.lastUsedService ? ` (${shownValue(key.lastUsedService, 40)}, ${shownValue(key.lastUsedRegion ?? '?', 20)})` : ''}`
    : 'never used';
  return `${key.accessKeyId} ${key.status}, created ${key.createdAt ?? 'unknown'}, ${used}`;
}

function quarantineSteps(signal: Quarantine, urgent: boolean): string[] {
  const { quarantine, user } = signal;
  const steps: string[] = [];
  if (urgent) {
    steps.push(
      `Find which key of ${quarantine.userName} leaked: the AWS Health (RISK) event, the Trusted Advisor check or AWS's e-mail names it (exposed-keys responds to those on its own).`,
    );
    if (quarantine.callerKey)
      steps.push(
        `The quarantine call was signed with ${quarantine.callerKey}, a key of ${quarantine.userName}: some public detections read it as the exposed key. Check it first.`,
      );
    if (user.keysUnknown)
      steps.push(
        `List the keys of ${quarantine.userName}: ${shellCommand`aws iam list-access-keys --user-name ${quarantine.userName}`}`,
      );
    for (const accessKeyId of uncoveredActiveKeys(signal).slice(0, KEYS_WITH_STEPS))
      steps.push(`If it is ${accessKeyId}: exposed-keys respond --key ${accessKeyId}`);
  }
  steps.push(
    `Leave ${quarantine.policy} on ${quarantine.userName} until the key is contained and the incident is closed.`,
  );
  return steps;
}

/** Whether CloudTrail names AWS itself as the caller that put the quarantine policy (older records say nothing). */
function byAws(quarantine: Quarantine['quarantine']): boolean {
  return !quarantine.putBy || quarantine.putBy.aws;
}

/**
 * What happened: AWS quarantining the user when CloudTrail names AWS as the caller; else the policy
 * put by the caller it names, which may be AWS's doing or anyone's allowed `iam:PutUserPolicy`.
 */
function quarantineHappened(quarantine: Quarantine['quarantine']): string {
  const where = `on ${quarantine.userName} in account ${quarantine.accountId} at ${quarantine.detectedAt}`;
  const names = 'The event names the user, not the key.';
  const putBy = quarantine.putBy;
  if (byAws(quarantine))
    return `AWS put ${quarantine.policy} ${where}${putBy?.arn ? ` (caller ${putBy.arn})` : ''}: it found one of the user's access keys exposed. ${names}`;
  const through = putBy?.invokedBy ? ` through ${putBy.invokedBy}` : '';
  return `${quarantine.policy} was put ${where} by ${putBy?.arn ?? 'a caller CloudTrail does not name'}${through}. AWS puts it on a user one of whose keys it found exposed; anyone allowed iam:PutUserPolicy can too: check who did. ${names}`;
}

/** The headline of a quarantine: AWS's when CloudTrail names AWS as the caller, else the policy's alone. */
function quarantineHeadline(quarantine: Quarantine['quarantine'], urgent: boolean): string {
  if (byAws(quarantine))
    return urgent ? 'ACTION REQUIRED: AWS quarantined a user, exposed key not known' : HEADLINES['user-quarantined'];
  return urgent
    ? 'ACTION REQUIRED: quarantine policy put on a user, exposed key not known'
    : 'Quarantine policy put on a user whose key may have leaked';
}

/** The message of AWS quarantining a user: the user's keys with their last use, and the incidents it joined. */
function quarantineMessage(report: IncidentReport, signal: Quarantine): IncidentMessage {
  const { quarantine, user, incidents } = signal;
  const urgent = needsHuman(report);
  const active = user.keys.filter((key) => key.status === 'Active').length;
  const covering = coveringIncidents(signal);
  const received = quarantineReceivedAt(signal);
  // Why an incident of the user does not cover the quarantine: when it was opened, or what its response did.
  const notCovering = incidents
    .filter((record) => !covering.includes(record))
    .map(
      (record) =>
        `${record.accessKeyId} (opened ${openedAt(record)}; ${responseLine(record, !responseUnderWay(record, received))})`,
    );
  const covered = covering.length
    ? `Covered by ${covering.length} open incident(s) of this stack: ${covering.map((record) => `${record.accessKeyId} (${responseLine(record)})`).join('; ')}.`
    : '';
  const keyNow = !user.exists
    ? `${quarantine.userName} no longer exists in IAM, nor do its keys.`
    : user.keysUnknown
      ? `NOT KNOWN: the keys of ${quarantine.userName} could not be listed, so none is known to be contained. ${covered}`.trim()
      : covered ||
        (active > 0
          ? `NOT CONTAINED: nothing is contained on this signal alone. ${quarantine.userName} has ${active} active key(s) of ${user.keys.length}.${notCovering.length ? ` Its incident(s) ${notCovering.join('; ')} are not taken for this one: an incident covers a quarantine only when opened within a day of it, of a key of the user's, and its response contained the key or is still under way.` : ''}`
          : `None of the ${user.keys.length} key(s) of ${quarantine.userName} is active.`);
  return {
    outcome: 'user-quarantined',
    headline: quarantineHeadline(quarantine, urgent),
    urgent,
    happened: quarantineHappened(quarantine),
    keyNow,
    attackerDid: [
      'not investigated: the signal names no key (exposed-keys investigate --key <key> for each key below).',
    ],
    doNow: quarantineSteps(signal, urgent),
    facts: [
      ['User', quarantine.userName],
      ['Account', quarantine.accountId],
      ['Policy', `${quarantine.policy} (${quarantine.how === 'attached' ? 'managed, attached' : 'inline'})`],
      ['Detected', quarantine.detectedAt],
      ['Event id', shownValue(quarantine.eventId)],
      ...user.keys.map((key): [string, string] => ['Key', keyLine(key)]),
      ...(quarantine.callerKey ? [['Caller key', quarantine.callerKey] as [string, string]] : []),
      ...[...(quarantine.notes ?? []), ...user.warnings].map((note): [string, string] => [
        'Note',
        shownText(note, 500),
      ]),
      ...(signal.recordError
        ? [['Note', `open incidents not known: ${shownText(signal.recordError, 500)}`] as [string, string]]
        : []),
    ],
    done: [
      'Nothing was changed: the quarantine names a user, not a key, and exposed-keys never touches a key the evidence does not tie to the incident.',
      ...incidents.map((record) => `Joined the incident of ${record.accessKeyId}, opened ${openedAt(record)}.`),
    ],
    verdict: [],
    left: [],
    activity: [],
    accessKeyId: null,
    userName: quarantine.userName,
    accountId: quarantine.accountId,
    account: accountLine(quarantine.accountId, null),
    accountName: null,
    source: quarantine.source,
  };
}

/** The message of a signal that ran no response of its own, or null for a full incident. */
export function signalMessage(report: IncidentReport): IncidentMessage | null {
  if (report.signal?.role === 'joined') return joinedMessage(report, report.signal);
  if (report.signal?.role === 'quarantine') return quarantineMessage(report, report.signal);
  return null;
}
