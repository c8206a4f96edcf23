import type { Incident } from '../incident/incident.js';
import type { ContainmentOutcome, ContainmentResult } from './contain.js';
import { grantsAccess, type Leftover } from './inventory/inventory-types.js';
import type { Investigation } from './investigate.js';
import type { FollowUpKind } from './lifecycle/follow-up.js';
import type { FollowUpResult, VerificationResult } from './lifecycle/follow-up-result.js';
import type { IncidentRecord } from './signals/incident-record.js';
import type { SignalReceipt } from './signals/receive-signal.js';
import { responseUnderWay } from './signals/response-under-way.js';
import type { StepReport } from './step-report.js';

/** How a follow-up of a contained key ended: its scheduled deletion, its verification, its release. */
export type FollowUpOutcome =
  | 'deleted-as-scheduled'
  | 'scheduled-deletion-refused'
  | 'scheduled-deletion-failed'
  | 'quiet-since-containment'
  | 'verification-incomplete'
  | 'activity-after-containment'
  | 'verification-failed'
  | 'released'
  | 'released-active'
  | 'reactivated'
  | 'release-failed'
  | 'invalid-follow-up';

/** How the whole incident ended: a containment outcome, or a failure before one; or how a follow-up ended. */
export type IncidentOutcome =
  | ContainmentOutcome
  | 'containment-failed'
  | 'invalid-event'
  | 'several-keys'
  | 'not-attempted'
  | 'joined'
  | 'user-quarantined'
  | FollowUpOutcome;

/** A follow-up of a contained key, as the notification reports it. */
export interface FollowUpReport {
  kind: FollowUpKind | 'release';
  /** Null when the follow-up's event could not be read. */
  accessKeyId: string | null;
  userName: string | null;
  accountId: string | null;
  /** When the key was contained, when known. */
  containedAt: string | null;
  step: StepReport<FollowUpResult>;
  /** A release's: whether it was to make the key active again (a false alarm). */
  reactivate?: boolean;
  /** A failed release's: the key was gone, deleted (by its scheduled deletion) before it could be released. */
  keyGone?: boolean;
}

/** Everything known about one incident once the steps have run; what the notification reports. */
export interface IncidentReport {
  /** Null when the event could not be read as an incident. */
  incident: Incident | null;
  /** Why the event could not be read, when it could not. */
  eventError?: string | null;
  /**
   * The account and event id of the raw event, for an event that could not be read: the account
   * its keys are in (`detail.affectedAccount` of the organisational view of AWS Health, else
   * `account`), and the account that received it when that is another.
   */
  rawAccount?: string | null;
  rawReceivedBy?: string | null;
  rawEventId?: string | null;
  /** The keys an event named when it named several (none was contained: each needs a response). */
  eventKeys?: string[];
  containment: StepReport<ContainmentResult>;
  investigation: StepReport<Investigation>;
  /**
   * What became of the signal, when the stack received it: a later signal that joined the incident
   * of its key, or AWS quarantining a user (neither contains nor investigates). Absent, or `first`,
   * for a full response.
   */
  signal?: SignalReceipt;
  /** Why the incident record could not be checked, when the response went ahead without it. */
  signalError?: string;
  /** Set when this is a follow-up of an earlier containment rather than a new incident. */
  followUp?: FollowUpReport;
  /**
   * The account the response ran from, when it may act in others (an organisation's hub): for a
   * key of another account, the message's commands then name that account (`--account` for
   * exposed-keys, `--profile` for the AWS CLI), since the reader may be signed in to the hub.
   */
  actedFrom?: string;
}

/**
 * True when a later signal joined an incident whose response ended without containing the key:
 * IAM shows it usable; or this account's IAM does not have it and the response did not contain it
 * (another account's key, one IAM did not know); or IAM cannot tell (it did not answer, or the key
 * is the root user's) and the response did not contain it. While the first response runs, it is
 * its own to report, unless none is provably under way (`overdue`: it has recorded nothing for
 * longer than a response takes, or the record does not say when it began): then a key not shown
 * contained (any but an inactive one, see {@link goneUnexplained}) needs a human. (A key IAM shows
 * active that no response contained then runs the response again, rather than join: see
 * receiveSignal; one a response contained, active again, joins, and needs a human.)
 */
function joinedKeyStillUsable(signal: Extract<SignalReceipt, { role: 'joined' }>): boolean {
  const response = signal.record.response;
  const { keyNow } = signal;
  if (response === undefined) return signal.overdue === true && keyNow.status !== 'inactive';
  if (response.outcome === 'notify-only') return false;
  if (keyNow.status === 'unknown') return !response.contained;
  return keyNow.status === 'active' || (keyNow.status === 'gone' && notInThisAccount(signal));
}

/** Outcomes of a response that found the key not in this account's IAM, and touched nothing. */
const NOT_HERE_OUTCOMES: readonly string[] = ['other-account', 'not-found', 'outside-organization'];

/**
 * True when this account's IAM does not have a later signal's key and the first response found it
 * was never here (another account's key, one IAM did not know): "gone" then proves nothing. A key
 * gone after any other response (deleted, or deleted by hand after a containment failed) is gone.
 */
export function notInThisAccount(signal: Extract<SignalReceipt, { role: 'joined' }>): boolean {
  const outcome = signal.record.response?.outcome;
  return signal.keyNow.status === 'gone' && outcome !== undefined && NOT_HERE_OUTCOMES.includes(outcome);
}

/**
 * True when this account's IAM does not have a later signal's key and the first response has
 * recorded nothing yet: the key may never have been here (a member's key that AWS Health's
 * organisational view reports to the management account), so "gone" shows nothing until the
 * response records what it found.
 */
export function goneUnexplained(signal: Extract<SignalReceipt, { role: 'joined' }>): boolean {
  return signal.keyNow.status === 'gone' && signal.record.response === undefined;
}

/**
 * True when a later signal finds its key unusable: inactive, or gone from this account's IAM after
 * a response that found it here; or, when IAM cannot tell, contained by the first response, as it
 * recorded.
 */
function joinedKeyContained(signal: Extract<SignalReceipt, { role: 'joined' }>): boolean {
  if (signal.keyNow.status === 'inactive') return true;
  if (signal.keyNow.status === 'unknown') return signal.record.response?.contained === true;
  return signal.keyNow.status === 'gone' && !notInThisAccount(signal) && !goneUnexplained(signal);
}

/**
 * How far apart a quarantine and an incident may begin and still be one detection: AWS quarantines
 * the user when it reports the key (Health, Trusted Advisor), minutes apart. An incident of the
 * user opened long before is an earlier leak, which proves nothing about this one.
 */
const SAME_DETECTION_MS = 24 * 3_600_000;

/** When a quarantine's incidents were read: when it was received, or, for a receipt that does not say, detected. */
export function quarantineReceivedAt(signal: Extract<SignalReceipt, { role: 'quarantine' }>): Date {
  return new Date(signal.receivedAt ?? signal.quarantine.detectedAt);
}

/**
 * The incidents of a quarantined user's keys that cover the quarantine: opened about when AWS
 * quarantined the user, of a key IAM lists under the user (or that the response found the user's
 * when it contained it), and whose response contained its key, or is still under way (see
 * {@link responseUnderWay}). An incident whose response contained nothing (the key's owner was not
 * the user named, IAM did not know the key, containment failed) or died leaves the user's keys as
 * they were: it covers nothing.
 */
export function coveringIncidents(signal: Extract<SignalReceipt, { role: 'quarantine' }>): IncidentRecord[] {
  const detected = Date.parse(signal.quarantine.detectedAt);
  const received = quarantineReceivedAt(signal);
  const listed = new Set(signal.user.keys.map((key) => key.accessKeyId));
  const user = signal.quarantine.userName.toLowerCase();
  return signal.incidents.filter(
    (record) =>
      (Math.abs(Date.parse(record.openedAt) - detected) <= SAME_DETECTION_MS || Number.isNaN(detected)) &&
      // Its key is the user's: IAM lists it under the user, or the response that contained it found
      // it the user's (a key the event named under the user may be anyone's).
      (listed.has(record.accessKeyId) ||
        (record.response?.contained === true && record.response.userName?.toLowerCase() === user)) &&
      (record.response?.contained === true || responseUnderWay(record, received)),
  );
}

/** A quarantined user's active keys that no covering incident is about: any of them may be the one leaked. */
export function uncoveredActiveKeys(signal: Extract<SignalReceipt, { role: 'quarantine' }>): string[] {
  const covered = new Set(coveringIncidents(signal).map((record) => record.accessKeyId));
  return signal.user.keys
    .filter((key) => key.status === 'Active' && !covered.has(key.accessKeyId))
    .map((key) => key.accessKeyId);
}

/**
 * True when a quarantined user's leaked key may still work: no incident of about the same time
 * that contained its key, or is still under way, covers the user while a key is active (an earlier
 * incident of the user, or one that contained nothing, proves nothing), or the user's keys could
 * not be listed.
 */
function quarantineUncovered(signal: Extract<SignalReceipt, { role: 'quarantine' }>): boolean {
  if (signal.user.exists && signal.user.keysUnknown === true) return true;
  return coveringIncidents(signal).length === 0 && signal.user.keys.some((key) => key.status === 'Active');
}

const FAILED: Readonly<Record<FollowUpReport['kind'], FollowUpOutcome>> = {
  'scheduled-deletion': 'scheduled-deletion-failed',
  verification: 'verification-failed',
  release: 'release-failed',
};

/**
 * True when a verification did not read all it had to (cut short, regions not searched, session
 * keys not checked, or not followed to the keys they minted): nothing found in what it read is
 * then no proof of quiet.
 */
function verificationIncomplete(result: VerificationResult): boolean {
  return (
    result.truncated ||
    result.regionsFailed.length > 0 ||
    (result.sessionRegionsFailed?.length ?? 0) > 0 ||
    (result.sessionRegionsNotNamed?.regions ?? 0) > 0 ||
    result.sessionKeysNotChecked > 0 ||
    (result.sessionKeysNotFollowed?.count ?? 0) > 0
  );
}

/** The outcome of a follow-up. */
export function followUpOutcome(followUp: FollowUpReport): FollowUpOutcome {
  const { step } = followUp;
  if (step.status === 'skipped') return 'invalid-follow-up';
  if (step.status === 'failed') return FAILED[followUp.kind];
  const result = step.result;
  if (result.kind === 'scheduled-deletion')
    return result.outcome === 'refused' ? 'scheduled-deletion-refused' : 'deleted-as-scheduled';
  if (result.kind === 'verification') {
    if (!result.quiet) return 'activity-after-containment';
    return verificationIncomplete(result) ? 'verification-incomplete' : 'quiet-since-containment';
  }
  if (result.reactivated) return 'reactivated';
  // Someone made the key active again after exposed-keys deactivated it: a human must look.
  return result.status === 'Active' ? 'released-active' : 'released';
}

/** True when a follow-up leaves something for a human: a failure, a refusal, activity, regions unsearched. */
function followUpNeedsHuman(followUp: FollowUpReport): boolean {
  const { step } = followUp;
  if (step.status !== 'done') return true;
  const result = step.result;
  if (result.kind === 'scheduled-deletion') return result.outcome === 'refused';
  if (result.kind === 'verification') return !result.quiet || verificationIncomplete(result);
  return !result.reactivated && result.status === 'Active';
}

/**
 * What the inventory found through which the attacker may still get in, now that the key is
 * contained: a key or a console password it made that still exists, a role it left trusting
 * outside. Containing the key cuts none of them (revoking sessions denies temporary credentials
 * only).
 */
export function accessStillHeld(report: IncidentReport): Leftover[] {
  const inventory = report.investigation.status === 'done' ? report.investigation.result.inventory : undefined;
  return (inventory?.items ?? []).filter(grantsAccess);
}

/** True when a scheduled deletion that was refused found the key inactive, as IAM listed it. */
function refusedDeletionOfInactiveKey(followUp: FollowUpReport): boolean {
  const { step } = followUp;
  return step.status === 'done' && step.result.kind === 'scheduled-deletion' && step.result.keyStatus === 'Inactive';
}

/** The outcome of the incident as a whole. */
export function incidentOutcome(report: IncidentReport): IncidentOutcome {
  if (report.signal?.role === 'joined') return 'joined';
  if (report.signal?.role === 'quarantine') return 'user-quarantined';
  if (report.followUp) return followUpOutcome(report.followUp);
  if (report.incident === null) return report.eventKeys?.length ? 'several-keys' : 'invalid-event';
  if (report.containment.status === 'failed') return 'containment-failed';
  if (report.containment.status === 'skipped') return 'not-attempted';
  return report.containment.result.outcome;
}

/** True when the key can no longer be used. */
export function keyContained(report: IncidentReport): boolean {
  if (report.signal?.role === 'joined') return joinedKeyContained(report.signal);
  if (report.signal?.role === 'quarantine') return !quarantineUncovered(report.signal);
  // A follow-up starts from a contained key: it is no longer so only when found active again or released.
  if (report.followUp) {
    const outcome = followUpOutcome(report.followUp);
    // A refused deletion read the key: still inactive, it is contained all the same.
    if (outcome === 'scheduled-deletion-refused') return refusedDeletionOfInactiveKey(report.followUp);
    return !['reactivated', 'released-active', 'invalid-follow-up'].includes(outcome);
  }
  return report.containment.status === 'done' && report.containment.result.contained;
}

/**
 * True when the incident needs a human: the key is not contained (but for a dry run, and for
 * notify-only mode, whose operators chose to contain by hand and are told so), or a part of
 * containment failed (sessions minted from the key still valid), or the attacker still holds
 * access the key's containment did not cut ({@link accessStillHeld}). For a later signal, only when the
 * first response ended and the key is still usable; for a quarantined user, when no incident covers
 * the user and the user has an active key.
 */
export function needsHuman(report: IncidentReport): boolean {
  // A later signal needs a human only when the first response has ended and left the key usable.
  if (report.signal?.role === 'joined') return joinedKeyStillUsable(report.signal);
  // A quarantine names no key: a human must find it, unless an incident of the stack covers the user.
  if (report.signal?.role === 'quarantine') return quarantineUncovered(report.signal);
  if (report.followUp) return followUpNeedsHuman(report.followUp);
  const outcome = incidentOutcome(report);
  if (outcome !== 'planned' && accessStillHeld(report).length > 0) return true;
  if (
    report.containment.status === 'done' &&
    report.containment.result.actions.some((action) => action.status === 'failed')
  )
    return true;
  return !keyContained(report) && outcome !== 'planned' && outcome !== 'notify-only';
}
