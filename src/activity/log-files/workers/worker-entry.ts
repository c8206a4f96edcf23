/*
 * The entry of a log-file worker thread (built into dist/, or bundled on the fly from this source:
 * see start-worker.ts). It does nothing when imported elsewhere.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LogFileWorkerData } from './protocol.js';
import { serveLogFileWorker } from './serve-worker.js';

if (parentPort) serveLogFileWorker(parentPort, workerData as LogFileWorkerData);
