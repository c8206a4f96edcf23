import type { MessagePort } from 'node:worker_threads';
import { KeyAccumulators } from '../key-accumulators.js';
import { reasonOf } from '../read-log-file.js';
import { wantedKeys } from '../wanted-keys.js';
import { LogFileCounter } from './count-log-file.js';
import type { LogFileWorkerData, WorkerAnswer, WorkerRequest } from './protocol.js';
import { SharedEventIds } from './shared-event-ids.js';

/**
 * Serves the main thread from a worker thread: counts each batch of files it is sent (see
 * {@link LogFileCounter}) in accumulators of its own, whose event ids are shared with every
 * thread's, and answers with what became of each file; asked to finish, answers with what it
 * counted, for the main thread to merge. `parent` is the port to the main thread.
 */
export function serveLogFileWorker(parent: MessagePort, data: LogFileWorkerData): void {
  const window = { start: new Date(data.window.startMs), end: new Date(data.window.endMs) };
  const accumulators = new KeyAccumulators(data.accessKeyIds, window, new SharedEventIds(data.seen));
  const counter = new LogFileCounter(
    {
      wanted: wantedKeys(data.accessKeyIds),
      maxFileBytes: data.maxFileBytes,
      alreadyCounted: accumulators.alreadyCounted,
    },
    accumulators.count,
  );
  const answer = (message: WorkerAnswer) => parent.postMessage(message);
  parent.on('message', (request: WorkerRequest) => {
    try {
      if (request.kind === 'files')
        answer({
          kind: 'files',
          batch: request.batch,
          files: request.files.map((file) => counter.count(file.path, file.collectRegions)),
        });
      else answer({ kind: 'counted', states: accumulators.states() });
    } catch (error) {
      answer({ kind: 'failed', reason: reasonOf(error) });
    }
  });
}
