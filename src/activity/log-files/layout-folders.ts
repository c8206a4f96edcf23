import { isRegionName } from '../../aws/aws-names.js';
import type { TimeWindow } from '../activity-summary.js';
import { dayIsOutsideWindow } from './log-file-path.js';

const DAY_MS = 86_400_000;

/** How a folder of an S3 listing is listed when a window is known. */
export type LayoutLevel = 'above-region' | 'region' | 'other';

/**
 * `AWSLogs/[<org-id>/]<account>/CloudTrail[-Digest|-Insight]/<region>/`: its date folders are listed
 * for the window's days only. A folder named `CloudTrail/<something>/` elsewhere (a trail's key
 * prefix such as `CloudTrail/org-trail/`) is no region folder: its date folders would hold nothing.
 */
const REGION_FOLDER = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?\d{12}\/CloudTrail(?:-Digest|-Insight)?\/([a-z0-9-]+)\/$/;
/** `AWSLogs/`, `AWSLogs/[<org-id>/]<account>/` and `…/<account>/CloudTrail[-Digest|-Insight]/`. */
const ABOVE_REGION = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(?:\d{12}\/(?:CloudTrail(?:-Digest|-Insight)?\/)?)?$/;

/**
 * Where a folder (an S3 prefix ending in `/`) sits in the CloudTrail layout: above the region
 * folders (its folders are looked into one by one), a region folder, or anything else (listed
 * whole, as it cannot be told what it holds).
 */
export function layoutLevel(folder: string): LayoutLevel {
  const region = REGION_FOLDER.exec(folder)?.[1];
  if (region !== undefined && isRegionName(region)) return 'region';
  return ABOVE_REGION.test(folder) ? 'above-region' : 'other';
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * The date folders of a region folder (`YYYY/`, `YYYY/MM/`, `YYYY/MM/DD/`) that can hold the
 * deliveries of `window`: each day that {@link dayIsOutsideWindow} keeps, a whole month or year
 * as one folder when every day of it is kept, so that a long window costs few listings.
 */
export function layoutFolders(window: TimeWindow): string[] {
  const first = Math.floor(window.start.getTime() / DAY_MS) * DAY_MS - 2 * DAY_MS;
  const days: number[] = [];
  for (let day = first; day <= window.end.getTime() + DAY_MS; day += DAY_MS)
    if (!dayIsOutsideWindow(day, window)) days.push(day);
  const folders: string[] = [];
  for (let index = 0; index < days.length; ) {
    const date = new Date(days[index] as number);
    const [year, month, dayOfMonth] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
    // The days from `date` up to `end`, when every one of them is kept (the days kept follow each other); else 0.
    const whole = (end: number) => {
      const count = Math.round((end - date.getTime()) / DAY_MS);
      return days[index + count - 1] === end - DAY_MS ? count : 0;
    };
    const yearDays = month === 0 && dayOfMonth === 1 ? whole(Date.UTC(year + 1, 0, 1)) : 0;
    const monthDays = yearDays === 0 && dayOfMonth === 1 ? whole(Date.UTC(year, month + 1, 1)) : 0;
    const monthFolder = `${year}/${twoDigits(month + 1)}/`;
    folders.push(yearDays ? `${year}/` : monthDays ? monthFolder : `${monthFolder}${twoDigits(dayOfMonth)}/`);
    index += yearDays || monthDays || 1;
  }
  return folders;
}
