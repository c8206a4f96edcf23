import type { MessagePort } from 'node:worker_threads';
import { CountedEventIds } from '../counted-event-ids.js';
import { wantedKeys } from '../wanted-keys.js';
import type { LogFileWorkerData, ScannedBatch, ScanRequest } from './protocol.js';
import { RecordPacker } from './record-packer.js';
import { type ScanSettings, scanLogFile, WHOLE } from './scan-log-file.js';

/** Once a batch's answer holds this much record text, its other files are left to the main thread. */
const PACKED_BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Serves the main thread from a worker thread: scans each batch of files it is sent (see
 * {@link scanLogFile}) and answers with what it found, the records' text transferred, not copied;
 * the event ids counted so far, sent along, spare packing records that would be dropped as seen.
 * `parent` is the port to the main thread.
 */
export function serveLogFileWorker(parent: MessagePort, data: LogFileWorkerData): void {
  const counted = new Set<string>();
  const settings: ScanSettings = {
    wanted: wantedKeys(data.accessKeyIds),
    maxFileBytes: data.maxFileBytes,
    alreadyCounted: new CountedEventIds((eventId) => counted.has(eventId)).has,
  };
  parent.on('message', ({ batch, files, counted: newlyCounted }: ScanRequest) => {
    for (const eventId of newlyCounted) counted.add(eventId);
    const packer = new RecordPacker();
    const scans = files.map((file) =>
      packer.bytes > PACKED_BATCH_BYTES ? WHOLE : scanLogFile(file.path, file.collectRegions, settings, packer),
    );
    const records = packer.packed();
    const answer: ScannedBatch = { batch, files: scans, records };
    parent.postMessage(answer, [
      records.buffer,
      records.ends.buffer as ArrayBuffer,
      records.eventIds.buffer as ArrayBuffer,
    ]);
  });
}
