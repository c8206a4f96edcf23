import { toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient } from '../../aws/narrow-clients.js';
import { shownValue } from '../../common/untrusted-text.js';
import { describeError } from '../../errors.js';
import type { Signal } from '../../incident/parse-incident.js';
import type { QuarantineSignal } from '../../incident/quarantine.js';
import type { ContainmentMode } from '../containment/containment-modes.js';
import { containedRecord } from '../containment/evidence.js';
import { resolveOwner } from '../containment/owner.js';
import { isReleaseRecord } from '../containment/record-text.js';
import { claimIncident, type IncidentRecord, joinUserIncidents, type RecordDeps } from './incident-record.js';
import { type KeyNow, keyNow } from './key-now.js';
import { type QuarantinedUser, quarantinedUser } from './quarantined-user.js';
import { responseUnderWay } from './response-under-way.js';

/**
 * What became of a signal: the first about its key runs the whole response; a later one joins that
 * incident (one containment, one finding, a short follow-up); AWS quarantining a user contains
 * nothing, and reports the user's keys and the incidents it joined.
 */
export type SignalReceipt =
  | {
      role: 'first';
      record: IncidentRecord | null;
      /**
       * The key's owner as IAM named it on receipt, whether the report names one or not:
       * containment, retried after a first attempt deleted the key, knows from it that the key was
       * held here (for a report naming a user, only when it is that user).
       */
      ownerName?: string;
      /**
       * A later report that runs the response again: IAM shows the key active and the record
       * shows no response that contained it (see {@link receiveSignal}).
       */
      again?: true;
    }
  | {
      role: 'joined';
      record: IncidentRecord;
      keyNow: KeyNow;
      /**
       * No response is provably under way: the first has recorded nothing for longer than a
       * response takes (it died: a function timed out, crashed or was throttled past its
       * retries), or the record does not say when it began (no time, one that cannot be read, or
       * one in the future).
       */
      overdue?: true;
      /**
       * What the user's record of the key says of a release (`reactivated <time>`, `released <time>
       * left …`), when a response contained the key and it is active again: shown, never acted on,
       * since anyone allowed iam:TagUser can write it.
       */
      released?: string;
    }
  | {
      role: 'quarantine';
      quarantine: QuarantineSignal;
      user: QuarantinedUser;
      /** The incidents open for the user's keys, which this signal joined. */
      incidents: IncidentRecord[];
      /** When the incidents were read (ISO 8601): what tells a response still under way from one that died. */
      receivedAt?: string;
      /** Why the incidents could not be looked up, when they could not. */
      recordError?: string;
    };

/** What {@link receiveSignal} needs: IAM to read keys, and the incident record (absent: every key signal is first). */
export interface ReceiveDeps {
  iam: IamClient;
  record?: RecordDeps;
  now?: () => Date;
  /**
   * The containment mode the stack runs in now: a record's notify-only response holds back a
   * later report only while it is notify-only still (the record alone, anyone who may write the
   * table could forge).
   */
  mode?: ContainmentMode;
}

/**
 * True when no response is provably under way for a record that shows none recorded: the first
 * has recorded nothing for longer than a response takes, or the record does not say when it began
 * (no time, one that cannot be read, or one in the future: such a record must never hold back a
 * response).
 */
function overdue(record: IncidentRecord, now: Date): boolean {
  return record.response === undefined && !responseUnderWay(record, now);
}

/**
 * True when the record shows no response that contained the key: the first ended without
 * containing it (containment failed or was refused, the key was not found, its owner was not the
 * user named), or none is under way. A notify-only response is left as it is while the stack is
 * notify-only still: responding again would only notify again.
 */
function noContainingResponse(record: IncidentRecord, isOverdue: boolean, mode: ContainmentMode | undefined): boolean {
  const { response } = record;
  if (response === undefined) return isOverdue;
  return !response.contained && !(response.outcome === 'notify-only' && mode === 'notify-only');
}

/**
 * What `exposed-keys release` left on the key's user, when that is what the user's record of the
 * key says; null otherwise, and when it cannot be read: containing a key AWS reports exposed again
 * is then the safer mistake.
 */
async function releaseOf(iam: IamClient, userName: string, accessKeyId: string): Promise<string | null> {
  try {
    const record = await containedRecord(iam, userName, accessKeyId);
    return record !== null && isReleaseRecord(record) ? shownValue(record, 120) : null;
  } catch {
    return null;
  }
}

/**
 * The key's owner as IAM names it on receipt. For a report that names none, the key is filed under
 * it when the incident is claimed, so that AWS quarantining that user while the response still
 * looks for the owner finds the incident. Read only; undefined when IAM does not say or fails (the
 * response then files the key once it knows the owner, and contains it without this).
 */
async function ownerOf(iam: IamClient, accessKeyId: string): Promise<string | undefined> {
  const owner = await resolveOwner(iam, accessKeyId, null).catch(() => null);
  return owner?.kind === 'user' ? owner.userName : undefined;
}

async function receiveQuarantine(deps: ReceiveDeps, quarantine: QuarantineSignal): Promise<SignalReceipt> {
  let incidents: IncidentRecord[] = [];
  let recordError: string | undefined;
  if (deps.record)
    try {
      incidents = await joinUserIncidents(deps.record, { ...quarantine, source: quarantine.source });
    } catch (error) {
      recordError = describeError(toAwsCallError('dynamodb:UpdateItem', error));
    }
  const receivedAt = (deps.now ?? (() => new Date()))().toISOString();
  const user = await quarantinedUser(deps.iam, quarantine.userName);
  return { role: 'quarantine', quarantine, user, incidents, receivedAt, ...(recordError ? { recordError } : {}) };
}

/**
 * Receives a signal: claims the incident of its key (or joins the one a signal before it opened),
 * or, for a quarantined user, lists the user's keys and joins the user's open incidents. Changes no
 * key: containment is the first signal's, but for a later report of a key IAM shows active while
 * the record shows no response that contained it (the first ended without containing it, or none
 * is under way): that report is `first` again, so that the response runs.
 *
 * @throws AwsCallError when the incident record cannot be written: the caller then responds in
 * full rather than risk no response at all.
 */
export async function receiveSignal(deps: ReceiveDeps, signal: Signal): Promise<SignalReceipt> {
  if (signal.kind === 'user') return receiveQuarantine(deps, signal.quarantine);
  const { incident } = signal;
  // Read for every report, before containment can delete the key: a retry that finds it gone has
  // only this to show it was held here until CloudTrail shows the deletion.
  const ownerName = await ownerOf(deps.iam, incident.accessKeyId);
  const owner = ownerName ? { ownerName } : {};
  if (!deps.record) return { role: 'first', record: null, ...owner };
  let claim: Awaited<ReturnType<typeof claimIncident>>;
  try {
    claim = await claimIncident(deps.record, {
      accountId: incident.accountId,
      accessKeyId: incident.accessKeyId,
      eventId: incident.eventId,
      source: incident.source,
      userName: incident.userName,
      // The key is filed under the user the report names, when it names one.
      ...(ownerName && !incident.userName ? { ownerName } : {}),
    });
  } catch (error) {
    throw toAwsCallError('dynamodb:UpdateItem', error);
  }
  if (claim.role === 'first') return { role: 'first', record: claim.record, ...owner };
  const now = (deps.now ?? (() => new Date()))();
  const { record } = claim;
  const state = await keyNow(deps.iam, incident.accessKeyId);
  const isOverdue = overdue(record, now);
  // No response contained the key, and it is active: this report runs the response again, whatever
  // the user's tags say (anyone allowed iam:TagUser can write a release there, and no release
  // can follow a response that contained nothing). Two reports at once may both do so:
  // containment is idempotent (a key already inactive or gone is found so, the sessions' deny
  // policy is put again), and a response that contained nothing never overwrites the record of
  // one that did (see recordResponse).
  if (state.status === 'active' && noContainingResponse(record, isOverdue, deps.mode))
    return { role: 'first', record, again: true, ...owner };
  // Contained, then active again: what the user's record of the key says of a release, to show.
  const released = state.status === 'active' ? await releaseOf(deps.iam, state.userName, incident.accessKeyId) : null;
  return {
    role: 'joined',
    record,
    keyNow: state,
    ...(isOverdue ? { overdue: true as const } : {}),
    ...(released !== null ? { released } : {}),
  };
}
