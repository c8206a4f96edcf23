import { accessKeyOf, type CloudTrailRecord } from '../cloudtrail-record.js';
import type { DeliveryContent } from './compact-delivery-scanner.js';
import { searchedRegionOf } from './searched-region.js';
import type { WantedKeys } from './wanted-keys.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a parsed entry of `Records` is a record made with a wanted key. */
export function isWantedRecord(record: unknown, wanted: WantedKeys): record is CloudTrailRecord {
  if (!isObject(record)) return false;
  const key = accessKeyOf(record);
  return key !== undefined && wanted.ids.has(key);
}

/**
 * Parses a whole log file: its `Records`, each as it is (not checked); null when the document has
 * no `Records` array (a digest, or not a CloudTrail file).
 *
 * @throws Error "not valid JSON: …" when the text is not valid JSON.
 */
export function recordsOf(bytes: Buffer): unknown[] | null {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return isObject(document) && Array.isArray(document.Records) ? document.Records : null;
}

/**
 * Parses a whole log file: the records made with a wanted key, and the regions of all its records
 * when asked; null when the document has no `Records` array (a digest, or not a CloudTrail file).
 *
 * @throws Error "not valid JSON: …" when the text is not valid JSON.
 */
export function parseDelivery(bytes: Buffer, wanted: WantedKeys, collectRegions: boolean): DeliveryContent | null {
  const all = recordsOf(bytes);
  if (!all) return null;
  const records: CloudTrailRecord[] = [];
  const regions = new Set<string>();
  for (const record of all) {
    if (!isObject(record)) continue;
    const region = collectRegions ? searchedRegionOf(record) : null;
    if (region !== null) regions.add(region);
    if (isWantedRecord(record, wanted)) records.push(record);
  }
  return { records, regions: [...regions] };
}
