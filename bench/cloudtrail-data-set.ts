import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CloudTrailRecord } from '../src/activity/cloudtrail-record.js';

/** The attacker's key in the attack-simulation data set (2,104 of its 2,900 events). */
export const DATA_SET_KEY = 'AKIATFQR7NSC8Q4X20BJ';
/** A key with 43 of the 2,900 events: what an incident's key usually is in an account's logs. */
export const SPARSE_KEY = 'AKIATFQR7NSCUXC3DDDP';
/** A window that holds the whole data set. */
export const DATA_SET_WINDOW = { start: new Date('2023-07-10T00:00:00Z'), end: new Date('2023-07-11T00:00:00Z') };

const ACCOUNT = '218007301253';
const SHARED = resolve('../shared/datasets/cloudtrail-stratus-invictus');
const FIXTURES = ['data/cloudtrail/stratus-invictus.json.gz', 'test/fixtures/cloudtrail/stratus-invictus.json.gz'];

/** One delivery of the data set: its file name and records. */
export interface Delivery {
  name: string;
  records: CloudTrailRecord[];
}

/** The data set's deliveries: the 55 delivered files when present, else the fixture cut into 55 files. */
export function loadDeliveries(): { origin: string; deliveries: Delivery[] } {
  if (existsSync(SHARED)) {
    const names = readdirSync(SHARED)
      .filter((name) => name.endsWith('.json'))
      .sort();
    return {
      origin: SHARED,
      deliveries: names.map((name) => ({
        name,
        records: JSON.parse(readFileSync(join(SHARED, name), 'utf8')).Records as CloudTrailRecord[],
      })),
    };
  }
  const fixture = FIXTURES.find((path) => existsSync(path));
  if (!fixture) throw new Error('Neither the shared data set nor the CloudTrail fixture was found.');
  const records = JSON.parse(gunzipSync(readFileSync(fixture)).toString('utf8')).Records as CloudTrailRecord[];
  const size = Math.ceil(records.length / 55);
  return {
    origin: fixture,
    deliveries: Array.from({ length: 55 }, (_, index) => ({
      name: `${ACCOUNT}_CloudTrail_us-east-1_20230710T1200Z_fixture${String(index).padStart(8, '0')}.json`,
      records: records.slice(index * size, (index + 1) * size),
    })),
  };
}

/** Options of {@link writeCopies}. */
export interface CopyOptions {
  /** How many copies of the data set to write; each gets fresh event ids. */
  copies: number;
  gzip: boolean;
  /** Copy numbers start here, so that separate calls give distinct event ids. */
  firstCopy?: number;
}

function copyName(name: string, copy: number): string {
  // The random part of a delivery's name, made unique per copy at the same length.
  return name.replace(/_([A-Za-z0-9]{4})([A-Za-z0-9]+)\.json$/, (_, head: string, tail: string) => {
    const suffix = copy.toString(36).padStart(4, '0');
    return `_${head}${tail.slice(0, Math.max(0, tail.length - 4))}${suffix}.json`;
  });
}

/**
 * Writes copies of the deliveries into the CloudTrail layout under `root`, each a separate
 * compact delivery as CloudTrail writes it, each event with a fresh id so nothing is de-duplicated.
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
      const records = delivery.records.map((record) => ({
        ...record,
        eventID: `${prefix}${String(record.eventID).slice(8)}`,
      }));
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
