import { jsonBytes } from '../common/json-bytes.js';
import { codePointLength, cutEnd } from '../common/untrusted-text.js';
import type {
  CallsAfterContainment,
  FailedRegionGroup,
  KeyFailedRegion,
  VerificationResult,
} from '../steps/lifecycle/follow-up-result.js';
import { MAX_INVESTIGATION_BYTES } from './fit-state.js';

/** A verification's state carries no investigation: it may take the room one would. */
export const MAX_VERIFICATION_BYTES = MAX_INVESTIGATION_BYTES;

/** What a failure says once why it failed no longer fits. */
export const WHY_LEFT_OUT = '(why was left out to fit the state)';

/** How much of each list, value and error a stage keeps: each stage smaller than the one before. */
interface Stage {
  rows: number;
  name: number;
  error: number;
}

const STAGES: readonly Stage[] = [
  { rows: 20, name: 200, error: 300 },
  { rows: 10, name: 100, error: 120 },
  { rows: 5, name: 60, error: 40 },
  { rows: 3, name: 40, error: 0 },
  { rows: 0, name: 0, error: 0 },
];

/** Past this, a result is not logged whole: CloudWatch takes events of 256 KB, with the logger's own fields. */
const MAX_LOGGED_BYTES = 200_000;

/** True when `value` fits one CloudWatch log event, with room for the logger's fields. */
export function fitsOneLogEvent(value: unknown): boolean {
  return jsonBytes(value) <= MAX_LOGGED_BYTES;
}

/** What the key's own calls keep at every stage. */
const OWN: Stage = { rows: 10, name: 60, error: 0 };

/** Why a region failed, cut to `length`; at 0, a reason as short as the words that replace it is kept. */
function why(error: string, length: number): string {
  if (length > 0) return cutEnd(error, length);
  return codePointLength(error) <= WHY_KEPT ? error : WHY_LEFT_OUT;
}

/** A reason this short ("AccessDenied", "Rate exceeded") is kept whole whatever the stage. */
const WHY_KEPT = 40;

/** One key's calls, its lists cut to `stage`, its total and first and last call exact. */
function cutCalls(calls: CallsAfterContainment, stage: Stage): CallsAfterContainment {
  const list = (rows: { name: string; count: number }[]) =>
    rows.slice(0, stage.rows).map((row) => ({ ...row, name: cutEnd(row.name, stage.name) }));
  return {
    ...calls,
    calls: list(calls.calls),
    errorCodes: list(calls.errorCodes),
    sourceIps: list(calls.sourceIps),
    cut: calls.cut ?? {
      calls: calls.calls.length,
      refused: calls.errorCodes.reduce((sum, error) => sum + error.count, 0),
    },
  };
}

/**
 * The session keys' failures grouped: the keys that failed in the same regions for the same
 * reason (as cut) share one group, so that a denial of every region names each region once.
 */
function grouped(failures: readonly KeyFailedRegion[], errorLength: number): FailedRegionGroup[] {
  const byKey = new Map<string, { accessKeyId: string; error: string; regions: string[] }>();
  for (const failed of failures) {
    const error = why(failed.error, errorLength);
    const id = `${failed.accessKeyId}\u0000${error}`;
    const entry = byKey.get(id) ?? { accessKeyId: failed.accessKeyId, error, regions: [] };
    entry.regions.push(failed.region);
    byKey.set(id, entry);
  }
  const groups = new Map<string, FailedRegionGroup>();
  for (const { accessKeyId, error, regions } of byKey.values()) {
    const id = `${error}\u0000${regions.join(',')}`;
    const group = groups.get(id) ?? { regions, error, accessKeyIds: [] };
    group.accessKeyIds.push(accessKeyId);
    groups.set(id, group);
  }
  return [...groups.values()];
}

/**
 * The verification, small enough to travel in the state machine's state: at most
 * {@link MAX_VERIFICATION_BYTES}. A state over 256 KB fails the execution with an error no Catch
 * takes, and the alert with it. Every active key keeps its total and its first and last call, and
 * every region not searched stays named with the key it was for (the session keys' grouped, see
 * everyRegionNotSearched); only the rows of each key's lists, their values, and why each region
 * failed are cut, and `cutToFit` says so.
 */
export function fitVerification(result: VerificationResult): VerificationResult {
  if (jsonBytes(result) <= MAX_VERIFICATION_BYTES) return result;
  const own = result.regionsFailed.filter((failed) => failed.accessKeyId === result.accessKeyId);
  const sessions = result.regionsFailed.filter((failed) => failed.accessKeyId !== result.accessKeyId);
  let fitted = result;
  for (const stage of STAGES) {
    const groups = grouped(sessions, stage.error);
    fitted = {
      ...result,
      // The key's own calls are what the verification is for: they keep more than a session key's.
      activity: result.activity.map((calls) => cutCalls(calls, calls.role === 'key' ? OWN : stage)),
      regionsFailed: own.map((failed) => ({ ...failed, error: why(failed.error, Math.max(stage.error, WHY_KEPT)) })),
      ...(groups.length > 0 ? { sessionRegionsFailed: groups } : {}),
      cutToFit: true,
    };
    if (jsonBytes(fitted) <= MAX_VERIFICATION_BYTES) return fitted;
  }
  return atTheSmallest(withoutLastKeys(fitted));
}

/**
 * The last resort, past what 126 keys of AWS's shape in AWS's regions take: the session keys of
 * the last group are left out one at a time, and counted (keys and regions), until it fits.
 */
function withoutLastKeys(result: VerificationResult): VerificationResult {
  const groups = (result.sessionRegionsFailed ?? []).map((group) => ({
    ...group,
    accessKeyIds: [...group.accessKeyIds],
  }));
  const notNamed = { keys: 0, regions: 0 };
  let fitted = result;
  while (jsonBytes(fitted) > MAX_VERIFICATION_BYTES && groups.length > 0) {
    const last = groups[groups.length - 1] as FailedRegionGroup;
    last.accessKeyIds.pop();
    notNamed.keys += 1;
    notNamed.regions += last.regions.length;
    if (last.accessKeyIds.length === 0) groups.pop();
    fitted = { ...result, sessionRegionsFailed: groups, sessionRegionsNotNamed: { ...notNamed } };
  }
  return fitted;
}

/**
 * What is left when no session key's regions are named: the key's own calls without their lists,
 * why its own regions failed left out, and only the first of the session keys not checked or not
 * followed named (all are counted), so that the result fits whatever ids CloudTrail gave.
 */
function atTheSmallest(result: VerificationResult): VerificationResult {
  if (jsonBytes(result) <= MAX_VERIFICATION_BYTES) return result;
  const notFollowed = result.sessionKeysNotFollowed;
  return {
    ...result,
    activity: result.activity.map((calls) => cutCalls(calls, STAGES[STAGES.length - 1] as Stage)),
    regionsFailed: result.regionsFailed.map((failed) => ({ ...failed, error: WHY_LEFT_OUT })),
    ...(result.sessionKeysNotCheckedListed
      ? { sessionKeysNotCheckedListed: result.sessionKeysNotCheckedListed.slice(0, 1) }
      : {}),
    ...(notFollowed ? { sessionKeysNotFollowed: { ...notFollowed, keys: notFollowed.keys.slice(0, 1) } } : {}),
  };
}
