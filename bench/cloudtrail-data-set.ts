import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CloudTrailRecord } from '../src/activity/cloudtrail-record.js';
import { PROJECT_ROOT } from './bench-support.js';

/** The attacker's key in the attack-simulation data set (2,104 of its 2,900 events). */
export const DATA_SET_KEY = 'AKIATFQR7NSC8Q4X20BJ';
/** A key with 43 of the 2,900 events: what an incident's key usually is in an account's logs. */
export const SPARSE_KEY = 'AKIATFQR7NSCUXC3DDDP';
/** A window that holds the whole data set. */
export const DATA_SET_WINDOW = { start: new Date('2023-07-10T00:00:00Z'), end: new Date('2023-07-11T00:00:00Z') };

const ACCOUNT = '218007301253';
/** The repository's own copy of the data set: a clone has it, so that it reproduces the figures. */
const DATA_SET = 'data/cloudtrail/stratus-invictus.json.gz';
/** As many deliveries as the attack left in its trail. */
const DELIVERIES = 55;

/** One delivery of the data set: its file name and records. */
export interface Delivery {
  name: string;
  records: CloudTrailRecord[];
}

/**
 * The data set's 2,900 records cut into 55 deliveries, in order, from the repository's own copy
 * (resolved from the project root, whatever the working directory).
 */
export function loadDeliveries(): { origin: string; deliveries: Delivery[] } {
  const text = gunzipSync(readFileSync(join(PROJECT_ROOT, DATA_SET))).toString('utf8');
  const records = JSON.parse(text).Records as CloudTrailRecord[];
  const size = Math.ceil(records.length / DELIVERIES);
  return {
    origin: DATA_SET,
    deliveries: Array.from({ length: DELIVERIES }, (_, index) => ({
      name: `${ACCOUNT}_CloudTrail_us-east-1_20230710T1200Z_${String(index).padStart(16, '0')}.json`,
      records: records.slice(index * size, (index + 1) * size),
    })),
  };
}

/** Options of {@link writeCopies}. */
export interface CopyOptions {
  /** How many copies of the data set to write; each gets fresh event ids, unless `sameEventIds`. */
  copies: number;
  gzip: boolean;
  /** Copy numbers start here, so that separate calls give distinct event ids. */
  firstCopy?: number;
  /** Keep the data set's event ids in every copy: the same events, delivered again. */
  sameEventIds?: boolean;
}

function copyName(name: string, copy: number): string {
  // The random part of a delivery's name, made unique per copy at the same length: its first
  // characters become the copy's number, so that what tells deliveries apart (the data set's
  // numbers are at the end) stays. Replacing its last ones named every delivery of a copy alike,
  // each overwriting the one before: a copy was one file.
  return name.replace(/_[A-Za-z0-9]{4}([A-Za-z0-9]+)\.json$/, (_, rest: string) => {
    return `_${copy.toString(36).padStart(4, '0')}${rest}.json`;
  });
}

/**
 * Writes copies of the deliveries into the CloudTrail layout under `root`, each a separate
 * compact delivery as CloudTrail writes it, each event with a fresh id so nothing is
 * de-duplicated (unless `sameEventIds`).
 */
export async function writeCopies(
  root: string,
  deliveries: readonly Delivery[],
  options: CopyOptions,
): Promise<{ files: number; events: number; bytes: number }> {
  const folder = join(root, 'AWSLogs', ACCOUNT, 'CloudTrail', 'us-east-1', '2023', '07', '10');
  await mkdir(folder, { recursive: true });
  let files = 0;
  let events = 0;
  let bytes = 0;
  const first = options.firstCopy ?? 0;
  for (let copy = first; copy < first + options.copies; copy += 1) {
    const prefix = copy.toString(16).padStart(8, '0');
    for (const delivery of deliveries) {
      const records = options.sameEventIds
        ? delivery.records
        : delivery.records.map((record) => ({ ...record, eventID: `${prefix}${String(record.eventID).slice(8)}` }));
      const text = JSON.stringify({ Records: records });
      const body = options.gzip ? gzipSync(text) : Buffer.from(text);
      await writeFile(join(folder, `${copyName(delivery.name, copy)}${options.gzip ? '.gz' : ''}`), body);
      files += 1;
      events += records.length;
      bytes += body.length;
    }
  }
  return { files, events, bytes };
}
