import { isRegionName } from '../aws/aws-names.js';
import { shownValue } from '../common/untrusted-text.js';
import { formatCount } from '../format/plain-table.js';
import { isAccessKeyId } from '../incident/access-key-id.js';
import { MAX_SESSION_KEYS_FOLLOWED } from '../steps/investigate.js';
import type { KeyFailedRegion, VerificationResult } from '../steps/lifecycle/follow-up-result.js';
import { everyRegionNotSearched } from '../steps/lifecycle/regions-not-searched.js';
import { accountFlag, notSearchedLines, whyNotSearched } from './incident-message.js';

/*
 * What a verification did not search, for the key and for each session key it minted: the regions
 * LookupEvents could not read for one of them, the session keys it did not check (past those it
 * checks, or out of time), and those whose own session keys it did not look for, may hide calls.
 */

/** How many session keys get a command of their own in "Do now"; the rest are listed below it. */
const SESSION_COMMANDS = 3;

/** The key a failure was for: the verified key's own when unnamed (a result written before failures named their key). */
function keyOf(failed: KeyFailedRegion, result: VerificationResult): string {
  return (failed.accessKeyId as string | undefined) ?? result.accessKeyId;
}

/** The session keys' failures, by key, in the order the verification listed them. */
function sessionFailures(result: VerificationResult): Map<string, KeyFailedRegion[]> {
  const byKey = new Map<string, KeyFailedRegion[]>();
  for (const failed of everyRegionNotSearched(result)) {
    const key = keyOf(failed, result);
    if (key !== result.accessKeyId) byKey.set(key, [...(byKey.get(key) ?? []), failed]);
  }
  return byKey;
}

function ownFailures(result: VerificationResult): KeyFailedRegion[] {
  return everyRegionNotSearched(result).filter((failed) => keyOf(failed, result) === result.accessKeyId);
}

/** "2 region(s) could not be searched, and 6 for 3 session key(s)"; null when every one was. */
export function notSearchedInBrief(result: VerificationResult): string | null {
  const own = ownFailures(result).length;
  const sessions = sessionFailures(result);
  const notNamed = result.sessionRegionsNotNamed ?? { keys: 0, regions: 0 };
  const forSessions = everyRegionNotSearched(result).length - own + notNamed.regions;
  const parts = [
    ...(own > 0 ? [`${own} region(s) could not be searched`] : []),
    ...(forSessions > 0
      ? [
          `${own > 0 ? 'and ' : ''}${forSessions} region(s) could not be searched for ${sessions.size + notNamed.keys} session key(s)`,
        ]
      : []),
  ];
  return parts.length === 0 ? null : parts.join(', ');
}

/** The regions not searched, the key's then each session key's, as WHAT WAS DONE lists them. */
export function notSearchedByKey(result: VerificationResult): string[] {
  const notNamed = result.sessionRegionsNotNamed;
  return [
    ...notSearchedLines(ownFailures(result)),
    ...[...sessionFailures(result)].flatMap(([key, failed]) =>
      notSearchedLines(failed, ` for session key ${shownValue(key)}`),
    ),
    ...(notNamed && notNamed.keys > 0
      ? [
          `${formatCount(notNamed.regions)} more region(s) NOT searched for ${formatCount(notNamed.keys)} more session key(s), not named here (left out to fit the state).`,
        ]
      : []),
  ];
}

function regionsFlag(failed: readonly KeyFailedRegion[]): string {
  return (
    failed
      .map((region) => region.region)
      .filter(isRegionName)
      .join(',') || '<regions>'
  );
}

/** The searches that read again, since containment, the regions each key could not be searched in. */
export function searchAgainSteps(result: VerificationResult, member: string | null): string[] {
  const since = `--start ${result.containedAt}`;
  const own = ownFailures(result);
  const steps =
    own.length > 0
      ? [
          `Search the regions that could not be searched: exposed-keys investigate --key ${result.accessKeyId}${accountFlag(member)} ${since} --regions ${regionsFlag(own)}`,
        ]
      : [];
  // A session key id comes from CloudTrail data: only a well-formed one goes into a command.
  const sessions = [...sessionFailures(result)].filter(([key]) => isAccessKeyId(key));
  for (const [key, failed] of sessions.slice(0, SESSION_COMMANDS))
    steps.push(
      `Search the regions that could not be searched for session key ${key}: exposed-keys investigate --key ${key}${accountFlag(member)} ${since} --regions ${regionsFlag(failed)}`,
    );
  if (sessions.length > SESSION_COMMANDS)
    steps.push(
      `Search the same way for the ${sessions.length - SESSION_COMMANDS} other session key(s) with regions not searched, listed below.`,
    );
  const notNamed = result.sessionRegionsNotNamed?.keys ?? 0;
  if (notNamed > 0)
    steps.push(
      `Search since containment the ${formatCount(notNamed)} session key(s) whose regions not searched are not named here (left out to fit the state): every session key checked that has no line below, each with: exposed-keys investigate --key <ASIA…>${accountFlag(member)} ${since}`,
    );
  return steps;
}

/** Why session keys were not checked, in a few words: past the ones checked, or out of time. */
function whyNotChecked(result: VerificationResult): string {
  const reasons = new Set(result.sessionKeysNotCheckedListed?.map((key) => key.reason));
  return [
    ...(reasons.has('limit') ? [`past the ${result.sessionKeysChecked.length} checked`] : []),
    ...(reasons.has('time') ? ['the time ran out before them'] : []),
  ].join(' and ');
}

/**
 * How to check the session keys the verification did not: each named one searched since
 * containment (the first with a command of its own), and those not named listed first. A result
 * written before they were named says how to list them all.
 */
export function notCheckedSteps(result: VerificationResult, member: string | null): string[] {
  // A result written before these fields were (a deploy between two tasks of one execution) has none to check.
  if (!(result.sessionKeysNotChecked > 0) || !result.lookback) return [];
  const account = accountFlag(member);
  const since = `--start ${result.containedAt}`;
  const list = `exposed-keys investigate --key ${result.accessKeyId}${account} --start ${result.lookback.start} --end ${result.lookback.end} --no-follow-sessions --json`;
  const listed = result.sessionKeysNotCheckedListed;
  if (!listed)
    return [
      `Check the ${result.sessionKeysNotChecked} session key(s) it minted that were NOT checked (those after the first ${result.sessionKeysChecked.length} in sessionKeys): list them with ${list}, then search each since containment: exposed-keys investigate --key <ASIA…>${account} ${since}`,
    ];
  // A session key id comes from CloudTrail data: only a well-formed one goes into a command.
  const named = listed.map((key) => key.accessKeyId).filter(isAccessKeyId);
  const steps = named
    .slice(0, SESSION_COMMANDS)
    .map(
      (key) =>
        `Search session key ${key}, NOT checked, since containment: exposed-keys investigate --key ${key}${account} ${since}`,
    );
  const others = result.sessionKeysNotChecked - steps.length;
  if (others > 0)
    steps.push(
      `Search the same way the ${others} other session key(s) it minted that were NOT checked (${whyNotChecked(result)}): ${
        result.sessionKeysNotChecked > listed.length
          ? `those named below, and the ${result.sessionKeysNotChecked - listed.length} not named, listed with ${list}`
          : 'listed below'
      }.`,
    );
  return steps;
}

/** The session keys not checked, as WHAT WAS DONE lists them: each named, with the key that minted it, and why. */
export function notCheckedLines(result: VerificationResult): string[] {
  const listed = result.sessionKeysNotCheckedListed ?? [];
  const lines = listed.map(
    (key) =>
      `Session key NOT checked since containment: ${shownValue(key.accessKeyId)} (minted by ${shownValue(key.mintedBy)}; ${key.reason === 'time' ? 'the time ran out before it' : `past the ${result.sessionKeysChecked.length} checked`})`,
  );
  const unnamed = result.sessionKeysNotChecked - listed.length;
  if (listed.length > 0 && unnamed > 0) lines.push(`${unnamed} more session key(s) NOT checked, not named here.`);
  return lines;
}

/**
 * How to find what the session keys not followed minted: search each over the window they worked
 * in, which lists the keys it minted, then search those since containment.
 */
export function notFollowedSteps(result: VerificationResult, member: string | null): string[] {
  const left = result.sessionKeysNotFollowed;
  if (!left || left.count === 0) return [];
  const account = accountFlag(member);
  const window = left.window ?? result.lookback;
  // A session key id comes from CloudTrail data: only a well-formed one goes into a command.
  const named = left.keys.map((key) => key.accessKeyId).filter(isAccessKeyId);
  const example = named[0] ?? '<ASIA…>';
  return [
    `Find the session keys minted by the ${formatCount(left.count)} session key(s) NOT followed (${whyNotSearched(left, MAX_SESSION_KEYS_FOLLOWED)}; ${left.count > left.keys.length ? `the first ${left.keys.length} named below` : 'named below'}), one at a time: exposed-keys investigate --key ${example}${account} --start ${window.start} --end ${window.end}, then search each it lists since containment: exposed-keys investigate --key <ASIA…>${account} --start ${result.containedAt}`,
  ];
}

/** The session keys not followed, as WHAT WAS DONE lists them: each named, with the key that minted it, and why. */
export function notFollowedLines(result: VerificationResult): string[] {
  const left = result.sessionKeysNotFollowed;
  if (!left) return [];
  const lines = left.keys.map(
    (key) =>
      `Session key NOT followed, the keys it minted not looked for: ${shownValue(key.accessKeyId)} (minted by ${shownValue(key.mintedBy)}; ${key.reason === 'time' ? 'the time ran out before it' : `past the ${MAX_SESSION_KEYS_FOLLOWED} followed`})`,
  );
  const unnamed = left.count - left.keys.length;
  if (unnamed > 0) lines.push(`${formatCount(unnamed)} more session key(s) NOT followed, not named here.`);
  return lines;
}
