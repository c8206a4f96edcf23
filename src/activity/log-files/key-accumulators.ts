import type { TimeWindow } from '../activity-summary.js';
import { accessKeyOf, type CloudTrailRecord } from '../cloudtrail-record.js';
import { type AccumulatorState, ActivityAccumulator } from '../summarizer.js';
import { type CountedEventId, CountedEventIds } from './counted-event-ids.js';
import type { SharedEventIds } from './workers/shared-event-ids.js';

/**
 * One accumulator per wanted key, as one thread counts log files: each record goes to its key's.
 * With `seen`, the event ids are shared with the other threads' (a key's number there is its
 * place in `accessKeyIds`).
 */
export class KeyAccumulators {
  readonly #accumulators: Map<string, ActivityAccumulator>;

  constructor(accessKeyIds: readonly string[], window: TimeWindow, seen?: SharedEventIds) {
    this.#accumulators = new Map(
      accessKeyIds.map((id, key) => [id, new ActivityAccumulator(id, window, seen?.forKey(key))] as const),
    );
  }

  /** The accumulator of a wanted key. */
  of(accessKeyId: string): ActivityAccumulator {
    return this.#accumulators.get(accessKeyId) as ActivityAccumulator;
  }

  /** Counts a record in its key's accumulator: true when it was counted. */
  readonly count = (record: CloudTrailRecord): boolean =>
    this.#accumulators.get(accessKeyOf(record) ?? '')?.add(record) ?? false;

  /**
   * Whether a record's event id was counted by every key's accumulator already: any record with
   * that id would be dropped as seen, so it need not be parsed. (Ids only ever become counted: a
   * record passed over now would still be dropped when its file is counted.)
   */
  readonly alreadyCounted: CountedEventId = new CountedEventIds((eventId) => {
    for (const accumulator of this.#accumulators.values()) if (!accumulator.hasCounted(eventId)) return false;
    return true;
  }).has;

  /** What each key's accumulator counted, to merge on another thread. */
  states(): AccumulatorState[] {
    return [...this.#accumulators.values()].map((accumulator) => accumulator.state());
  }

  /** Adds what another thread counted. */
  merge(states: readonly AccumulatorState[]): void {
    for (const state of states) this.#accumulators.get(state.accessKeyId)?.merge(state);
  }
}
