/*
 * The entry of a log-file worker thread (built to dist/activity/log-file-worker.js, or bundled on
 * the fly from this source: see log-file-worker-script.ts). It does nothing when imported
 * elsewhere.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LogFileWorkerData } from './log-file-worker-protocol.js';
import { serveLogFileWorker } from './log-file-worker-service.js';

if (parentPort) serveLogFileWorker(parentPort, workerData as LogFileWorkerData);
