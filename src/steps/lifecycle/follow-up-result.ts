import type { FailedRegion } from '../../activity/activity-summary.js';
import type { SessionKeyNotSearched, SessionKeysNotSearched } from '../investigate.js';

/*
 * What a follow-up did: plain data, safe in a Step Functions state, read by the notification.
 */

/** How a scheduled deletion ended. */
export interface ScheduledDeletionResult {
  kind: 'scheduled-deletion';
  accessKeyId: string;
  userName: string;
  /**
   * `deleted`: this run deleted the inactive key; `already-deleted`: IAM no longer knows it (an
   * earlier attempt, or someone removed it or its user), so it cannot be used; `refused`: the key is active again, belongs to someone else, or nothing shows
   * exposed-keys contained it, so it was left alone for a human to decide.
   */
  outcome: 'deleted' | 'already-deleted' | 'refused';
  summary: string;
  humanSteps: string[];
  warnings: string[];
  /**
   * A refused deletion's: how IAM listed the key then (an inactive key is still contained); absent
   * when IAM could not say.
   */
  keyStatus?: 'Active' | 'Inactive';
}

/** What one key (the contained one, or a session key it minted) did after containment. */
export interface CallsAfterContainment {
  accessKeyId: string;
  /** `key` for the contained key, `session` for a session key it minted before containment. */
  role: 'key' | 'session';
  totalEvents: number;
  firstSeen: string | null;
  lastSeen: string | null;
  /** The calls, most frequent first, with how many were refused. */
  calls: { name: string; count: number }[];
  errorCodes: { name: string; count: number }[];
  sourceIps: { name: string; count: number }[];
  /**
   * Set when the lists were cut to fit the state (see fitVerification): how many distinct calls
   * the verification had listed, and how many calls of those were refused, before that cut.
   */
  cut?: { calls: number; refused: number };
}

/**
 * Regions not searched for several session keys, for the same reason: how a verification cut to
 * fit the state names each session key's regions without repeating them.
 */
export interface FailedRegionGroup {
  regions: string[];
  error: string;
  accessKeyIds: string[];
}

/** A region not searched, and the key it was searched for: the contained key, or a session key it minted. */
export interface KeyFailedRegion extends FailedRegion {
  accessKeyId: string;
}

/** How a verification after containment ended. */
export interface VerificationResult {
  kind: 'verification';
  accessKeyId: string;
  userName: string;
  containedAt: string;
  /** The window searched for activity since containment. */
  window: { start: string; end: string };
  /** True when neither the key nor its sessions did anything since containment, in the regions searched. */
  quiet: boolean;
  /** The session keys found that were checked too: those the key minted, and those they minted, hop by hop. */
  sessionKeysChecked: string[];
  /**
   * How many session keys it minted were not checked: past the MAX_SESSION_KEYS_CHECKED checked
   * (`limit`), or because the time ran out first (`time`).
   */
  sessionKeysNotChecked: number;
  /**
   * The first SESSION_KEYS_NOT_SEARCHED_LISTED of those not checked, each with the key that minted it
   * and why, for a human to check; absent when none (or in a result written before they were named).
   */
  sessionKeysNotCheckedListed?: SessionKeyNotSearched[];
  /**
   * The session keys found whose own activity was not read (past the MAX_SESSION_KEYS_FOLLOWED
   * followed, or out of time), so that the keys they minted are not known, nor checked: a human
   * must look for them over `window`. Absent when none (or in a result written before they were).
   */
  sessionKeysNotFollowed?: SessionKeysNotSearched;
  /** The window before containment in which the session keys it minted were found (those they minted, until they stopped working). */
  lookback: { start: string; end: string };
  /** Keys with activity since containment; empty when quiet. */
  activity: CallsAfterContainment[];
  regionsSearched: string[];
  /**
   * Every region not searched, for the key and for each session key checked (see regionsNotSearched);
   * in a result cut to fit the state, the key's alone, the session keys' in `sessionRegionsFailed`
   * (read both with everyRegionNotSearched).
   */
  regionsFailed: KeyFailedRegion[];
  /** In a result cut to fit the state: the regions not searched for the session keys, grouped. */
  sessionRegionsFailed?: FailedRegionGroup[];
  /**
   * In a result that even grouped did not fit: how many session keys with regions not searched
   * are not named, and how many such regions they had, for a human to search.
   */
  sessionRegionsNotNamed?: { keys: number; regions: number };
  /** True when a limit on events or time was hit. */
  truncated: boolean;
  /**
   * True when the lists of calls, or why regions failed, were cut to fit the state: every active
   * key, its total, and every region not searched are still there.
   */
  cutToFit?: boolean;
}

/** How `exposed-keys release` ended. */
export interface ReleaseResult {
  kind: 'release';
  accessKeyId: string;
  userName: string;
  /** What showed exposed-keys had contained the key. */
  evidence: string[];
  /** The schedules removed (the deletion, and the verification when the key is made active again). */
  cancelled: string[];
  /** True when the key was made active again (a false alarm). */
  reactivated: boolean;
  /** The key's status now, as IAM lists it. */
  status: 'Active' | 'Inactive';
  warnings: string[];
}

/** What any follow-up did. */
export type FollowUpResult = ScheduledDeletionResult | VerificationResult | ReleaseResult;
