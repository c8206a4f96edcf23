import { shellWord } from '../common/shell-words.js';
import { shownText, shownValue } from '../common/untrusted-text.js';
import { formatCount } from '../format/plain-table.js';
import {
  type FollowUpOutcome,
  type FollowUpReport,
  followUpOutcome,
  type IncidentReport,
  needsHuman,
} from '../steps/incident-outcome.js';
import type { CallsAfterContainment, FollowUpResult } from '../steps/lifecycle/follow-up-result.js';
import { accountFlag, accountLine, type IncidentMessage, memberAccount, profileFlag } from './incident-message.js';
import {
  notCheckedLines,
  notCheckedSteps,
  notFollowedLines,
  notFollowedSteps,
  notSearchedByKey,
  notSearchedInBrief,
  searchAgainSteps,
} from './verification-gaps.js';

/*
 * The message of a follow-up of a contained key (its scheduled deletion, its verification, its
 * release), in the same model as an incident's, so that every channel renders it alike.
 */

const HEADLINES: Record<FollowUpOutcome, string> = {
  'deleted-as-scheduled': 'Exposed key deleted as scheduled',
  'scheduled-deletion-refused': 'ACTION REQUIRED: scheduled deletion refused',
  'scheduled-deletion-failed': 'ACTION REQUIRED: scheduled deletion FAILED',
  'quiet-since-containment': 'Verified: no activity since containment',
  'verification-incomplete': 'ACTION REQUIRED: verification after containment INCOMPLETE (not all was searched)',
  'activity-after-containment': 'ACTION REQUIRED: ACTIVITY AFTER CONTAINMENT',
  'verification-failed': 'ACTION REQUIRED: verification after containment FAILED',
  released: 'Exposed key released: it stays inactive, not deleted',
  'released-active': 'ACTION REQUIRED: exposed key released, but it is ACTIVE again (not by exposed-keys)',
  reactivated: 'Exposed key REACTIVATED as a false alarm',
  'release-failed': 'ACTION REQUIRED: release FAILED',
  'invalid-follow-up': 'ACTION REQUIRED: unreadable exposed-keys follow-up',
};

const KIND_NAMES: Record<FollowUpReport['kind'], string> = {
  'scheduled-deletion': 'scheduled deletion',
  verification: 'verification after containment',
  release: 'release (exposed-keys release)',
};

/** How many calls of each key the message names. */
const CALLS_SHOWN = 8;

function whose(followUp: FollowUpReport): string {
  const key = followUp.accessKeyId ?? 'an unknown key';
  return followUp.userName ? `${key} of ${shownValue(followUp.userName, 64)}` : key;
}

function happened(followUp: FollowUpReport): string {
  const since = followUp.containedAt ? `, contained at ${followUp.containedAt}` : '';
  const { step } = followUp;
  if (step.status === 'skipped')
    return `A follow-up event arrived that could not be read: ${shownText(step.reason, 300)}.`;
  if (followUp.kind === 'scheduled-deletion')
    return `The deletion of ${whose(followUp)}${since} and inactive since, came due.`;
  if (followUp.kind === 'verification')
    return `The check of ${whose(followUp)}${since}: did it, or a session it minted, call AWS since?`;
  if (followUp.keyGone)
    return `A responder asked to release ${whose(followUp)} (exposed-keys release), but its scheduled deletion came first.`;
  return `${whose(followUp)} was released by a responder (exposed-keys release).`;
}

function callsLine(calls: CallsAfterContainment): string {
  const names = calls.calls
    .slice(0, CALLS_SHOWN)
    .map((call) => `${shownValue(call.name, 60)} x${formatCount(call.count)}`)
    .join(', ');
  // A result cut to fit the state counts what it held before the cut.
  const distinct = calls.cut?.calls ?? calls.calls.length;
  const shown = Math.min(CALLS_SHOWN, calls.calls.length);
  const more = distinct > shown ? `, and ${formatCount(distinct - shown)} more` : '';
  const refused = calls.cut?.refused ?? calls.errorCodes.reduce((sum, error) => sum + error.count, 0);
  const from = calls.sourceIps
    .map((ip) => shownValue(ip.name, 60))
    .slice(0, 3)
    .join(', ');
  return `${calls.role === 'key' ? 'the key' : `session key ${shownValue(calls.accessKeyId)}`}: ${formatCount(calls.totalEvents)} call(s) (${names ? `${names}${more}` : `${formatCount(distinct)} distinct call(s), not named here`})${refused > 0 ? `, ${formatCount(refused)} refused` : ''}${from ? `, from ${from}` : ''}, ${calls.firstSeen} .. ${calls.lastSeen}`;
}

function keyNow(followUp: FollowUpReport, result: FollowUpResult | null): string {
  const { step } = followUp;
  if (step.status === 'failed') {
    const error = shownText(step.error, 300);
    if (followUp.kind === 'scheduled-deletion') return `NOT DELETED: the deletion failed (${error}).`;
    if (followUp.kind === 'verification') return `NOT VERIFIED: the check failed (${error}).`;
    if (followUp.keyGone) return `DELETED before it could be released: ${error}`;
    return `As the failed release left it: ${error}`;
  }
  if (!result) return 'Unknown: nothing was done.';
  if (result.kind === 'scheduled-deletion')
    return result.outcome === 'refused'
      ? `NOT DELETED: ${shownText(result.summary, 400)}`
      : `DELETED: ${shownText(result.summary, 400)}`;
  if (result.kind === 'verification') {
    const sessions = result.sessionKeysChecked.length;
    const notChecked = result.sessionKeysNotChecked;
    const checked = notChecked > 0 ? `${sessions} of the ${sessions + notChecked}` : `the ${sessions}`;
    const scope = `the key${sessions > 0 ? ` and ${checked} session key(s) it minted` : ''}, in ${result.regionsSearched.length} region(s) searched, ${result.window.start} .. ${result.window.end}`;
    if (!result.quiet) return `ACTIVITY AFTER CONTAINMENT of ${scope}.`;
    const notSearched = notSearchedInBrief(result);
    const gaps = [
      ...(result.truncated ? ['the search was cut short before it read everything'] : []),
      ...(notSearched ? [notSearched] : []),
      ...(notChecked > 0 ? [`${notChecked} session key(s) it minted were NOT checked`] : []),
      ...((result.sessionKeysNotFollowed?.count ?? 0) > 0
        ? [`${result.sessionKeysNotFollowed?.count} session key(s) were NOT followed to the keys they minted`]
        : []),
    ];
    return gaps.length > 0
      ? `NOT VERIFIED: no activity found since containment of ${scope}, but ${gaps.join('; ')}.`
      : `Quiet: no activity since containment of ${scope}.`;
  }
  if (result.reactivated) return 'ACTIVE again: the responder released it as a false alarm.';
  return result.status === 'Active'
    ? 'ACTIVE: someone made it active again after exposed-keys deactivated it, and it is no longer due for deletion.'
    : 'INACTIVE, and no longer due for deletion: it stays inactive until deleted by hand.';
}

function doNow(followUp: FollowUpReport, result: FollowUpResult | null, member: string | null): string[] {
  const key = followUp.accessKeyId ?? '<key>';
  const keyArgs = `${key}${accountFlag(member)}`;
  const user = followUp.userName ? shellWord(followUp.userName) : '<owner>';
  const profile = profileFlag(member);
  const deleteByHand = `aws iam delete-access-key --user-name ${user} --access-key-id ${key}${profile}`;
  if (followUp.step.status === 'skipped')
    return ['Find which schedule sent it: aws scheduler list-schedules --name-prefix exposed-keys-'];
  if (followUp.step.status === 'failed') {
    if (followUp.kind === 'scheduled-deletion') return [`Delete the key by hand: ${deleteByHand}`];
    if (followUp.kind === 'verification')
      return [
        `Check by hand what the key did since containment: exposed-keys investigate --key ${keyArgs} --start ${followUp.containedAt ?? '<time of containment>'}`,
      ];
    if (followUp.keyGone)
      return [
        `If something still needs a key of ${user}, give it a new one: aws iam create-access-key --user-name ${user}${profile}`,
      ];
    return [`Release it again: exposed-keys release --key ${keyArgs}${followUp.reactivate ? ' --reactivate' : ''}`];
  }
  if (!result) return [];
  if (result.kind === 'scheduled-deletion')
    return result.outcome === 'refused'
      ? result.humanSteps.map((step) => shownText(step))
      : [`Remove what the attacker left: exposed-keys investigate --key ${keyArgs} --inventory`];
  if (result.kind === 'verification') {
    const steps: string[] = [];
    if (!result.quiet)
      steps.push(
        'Someone still holds working credentials: find who from the addresses above, and cut them off.',
        'Sessions of roles the key assumed keep working until they expire: revoke active sessions on those roles (IAM console > Roles > Revoke active sessions).',
        `Deny ${user}'s sessions issued before now: attach an inline policy denying "*" when aws:TokenIssueTime is earlier than now.`,
      );
    if (result.truncated)
      steps.push(
        `Search again what the key did since containment, with more time: exposed-keys investigate --key ${keyArgs} --start ${result.containedAt}`,
      );
    steps.push(
      ...searchAgainSteps(result, member),
      ...notCheckedSteps(result, member),
      ...notFollowedSteps(result, member),
    );
    return steps;
  }
  if (result.reactivated)
    return [
      'Make sure the key is no longer exposed where it was found, and that its holder knows it was reported.',
      `Remove the inline policy exposed-keys-revoke-sessions from ${user} once it is no longer needed.`,
    ];
  if (result.status === 'Active')
    return [
      `Find who made ${key} active again and why (CloudTrail: UpdateAccessKey); unless that was meant, deactivate it: aws iam update-access-key --user-name ${user} --access-key-id ${key} --status Inactive${profile}`,
      `Delete the key once nothing needs it: ${deleteByHand}`,
    ];
  return [`Delete the key once nothing needs it: ${deleteByHand}`];
}

function done(followUp: FollowUpReport, result: FollowUpResult | null): string[] {
  const { step } = followUp;
  if (step.status === 'failed') return [`${KIND_NAMES[followUp.kind]} FAILED: ${shownText(step.error, 2_000)}`];
  if (step.status === 'skipped') return [`Nothing was done: ${shownText(step.reason)}`];
  if (!result) return [];
  const lines: string[] = [];
  if (result.kind === 'scheduled-deletion')
    lines.push(`Scheduled deletion: ${result.outcome}. ${shownText(result.summary)}`);
  if (result.kind === 'verification') {
    lines.push(
      `Verification: ${result.quiet ? 'quiet' : 'ACTIVITY'} since ${result.containedAt}; ${result.sessionKeysChecked.length} session key(s) checked${(result.sessionKeysNotChecked ?? 0) > 0 ? `, ${result.sessionKeysNotChecked} more it minted NOT checked` : ''}${result.truncated ? ', TRUNCATED (a limit on events or time was hit)' : ''}.`,
    );
    lines.push(...notSearchedByKey(result), ...notCheckedLines(result), ...notFollowedLines(result));
    if (result.cutToFit)
      lines.push(
        `The lists of calls, and why regions were not searched, were cut to fit the state machine's state${result.activity.length > 0 ? ' (every key and its total are above)' : ''}; exposed-keys investigate --key ${result.accessKeyId} --start ${result.containedAt} reads it all again.`,
      );
    // LookupEvents and the trail's files show a call minutes after it was made.
    if (result.quiet)
      lines.push(
        `CloudTrail shows a call minutes after it is made (typically within 15): one made in the last minutes before ${result.window.end} may not show yet.`,
      );
  }
  if (result.kind === 'release') {
    lines.push(
      `Evidence that exposed-keys contained it: ${result.evidence.map((line) => shownText(line, 300)).join('; ')}`,
    );
    lines.push(
      result.cancelled.length > 0
        ? `Schedules removed: ${result.cancelled.join(', ')}`
        : 'No schedule was left to remove.',
    );
    lines.push(
      result.reactivated
        ? 'Key made ACTIVE again.'
        : `Key left as it was (${result.status === 'Active' ? 'ACTIVE' : 'inactive'}).`,
    );
  }
  for (const warning of 'warnings' in result ? result.warnings : [])
    lines.push(`WARNING: ${shownText(warning, 2_000)}`);
  return lines;
}

/** The message of a follow-up, as every channel renders it. */
export function buildFollowUpMessage(report: IncidentReport & { followUp: FollowUpReport }): IncidentMessage {
  const { followUp } = report;
  const outcome = followUpOutcome(followUp);
  const result = followUp.step.status === 'done' ? followUp.step.result : null;
  const attackerDid =
    result?.kind === 'verification'
      ? result.quiet
        ? [
            outcome === 'verification-incomplete'
              ? 'nothing found since containment, in what could be searched: not all was (see below).'
              : 'nothing since containment.',
          ]
        : result.activity.map(callsLine)
      : [];
  return {
    outcome,
    headline: HEADLINES[outcome],
    urgent: needsHuman(report),
    happened: happened(followUp),
    keyNow: keyNow(followUp, result),
    attackerDid,
    doNow: doNow(followUp, result, memberAccount(report.actedFrom, followUp.accountId)),
    facts: [
      ['Access key', followUp.accessKeyId ?? '(unknown)'],
      ['User', followUp.userName === null ? '(unknown)' : shownValue(followUp.userName)],
      ['Account', followUp.accountId ?? '(unknown)'],
      ['Contained', followUp.containedAt ?? '(unknown)'],
      ['Follow-up', KIND_NAMES[followUp.kind]],
    ],
    done: done(followUp, result),
    left: [],
    verdict: [],
    activity: [],
    accessKeyId: followUp.accessKeyId,
    userName: followUp.userName,
    accountId: followUp.accountId,
    account: accountLine(followUp.accountId, null),
    accountName: null,
    source: 'exposed-keys',
  };
}
