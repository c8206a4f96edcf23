import { describe, expect, it } from 'vitest';
import type { TableLayout } from '../../../../src/activity/athena/activity-sql.js';
import { heldDays, heldWindow } from '../../../../src/activity/athena/held-days.js';

const NOW = new Date('2025-03-02T15:30:00Z');
const day = (text: string) => new Date(`${text}T00:00:00.000Z`);

function layout(dateRange: string): TableLayout {
  return { name: { database: 'cloudtrail', table: 'events' }, partitions: { date: 'timestamp' }, dateRange };
}

describe('heldDays', () => {
  it('reads fixed days and days relative to now, as partition projection writes them', () => {
    expect(heldDays('2020/01/01,NOW', NOW)).toEqual({ first: day('2020-01-01'), last: day('2025-03-02') });
    expect(heldDays(' NOW-3YEARS , NOW+1DAY ', NOW)).toEqual({ first: day('2022-03-02'), last: day('2025-03-03') });
    expect(heldDays('NOW - 2 WEEKS,NOW-36HOURS', NOW)).toEqual({ first: day('2025-02-16'), last: day('2025-03-01') });
    expect(heldDays('NOW-1MONTH,2025/03/31', NOW)).toEqual({ first: day('2025-02-02'), last: day('2025-03-31') });
  });

  it('moves by months and years as java.time does, to the month’s last day rather than past it', () => {
    const monthEnd = new Date('2024-03-31T12:00:00Z');
    expect(heldDays('NOW-1MONTH,NOW', monthEnd)?.first).toEqual(day('2024-02-29'));
    expect(heldDays('NOW-13MONTHS,NOW', monthEnd)?.first).toEqual(day('2023-02-28'));
    expect(heldDays('NOW-1YEAR,NOW', new Date('2024-02-29T12:00:00Z'))?.first).toEqual(day('2023-02-28'));
    expect(heldDays('NOW+1MONTH,NOW+1MONTH', new Date('2024-01-31T00:00:00Z'))?.first).toEqual(day('2024-02-29'));
  });

  it('reads nothing it cannot be sure of: another format, a day that is not, one end, ends reversed', () => {
    for (const range of ['2020-01-01,NOW', '2024/02/30,NOW', 'NOW', '2025/01/01,2024/01/01', 'NOW-3FORTNIGHTS,NOW'])
      expect(heldDays(range, NOW), range).toBeUndefined();
  });
});

describe('heldWindow', () => {
  const window = { start: new Date('2024/06/29 12:00Z'), end: new Date('2024/07/02 12:00Z') };

  it('keeps a window the days hold whole', () => {
    expect(heldWindow(layout('2020/01/01,NOW'), window, NOW, 'athena:cloudtrail.events')).toEqual({
      window,
      cut: false,
      unsearched: [],
    });
  });

  it('cuts a window to the days held, and names the days left out with the command that searches them', () => {
    // The days left out name their own window, whatever the summary's.
    const SEARCHED = { start: '2024-06-30T00:00:00.000Z', end: '2024-07-01T23:45:00.000Z' };
    const held = heldWindow(layout('2024/06/30,2024/07/01'), window, NOW, 'athena:cloudtrail.events');

    // The last 15 minutes of 2024/07/01 are delivered to the folder of 2024/07/02, which the table lacks.
    expect(held.window).toEqual({ start: day('2024-06-30'), end: new Date('2024-07-01T23:45:00.000Z') });
    expect(held).toMatchObject({ cut: true });
    const unsearched = held.window ? held.unsearched : [];
    expect(unsearched.map((place) => [place.region, place.why('AKIAIOSFODNN7EXAMPLE', SEARCHED)])).toEqual([
      [
        '(days before 2024/06/30) athena:cloudtrail.events',
        'the table athena:cloudtrail.events holds the days 2024/06/30 to 2024/07/01 only (projection.timestamp.range is 2024/06/30,2024/07/01): search it with another table, with log files (--logs), or, within the last 90 days, with LookupEvents: exposed-keys investigate --key AKIAIOSFODNN7EXAMPLE --start 2024-06-29T12:00:00.000Z --end 2024-06-30T00:00:00.000Z',
      ],
      [
        '(after 2024-07-01T23:45:00.000Z) athena:cloudtrail.events',
        expect.stringMatching(
          /last 15 minutes of 2024\/07\/01 are delivered to the next day's folder: .*--start 2024-07-01T23:45:00\.000Z --end 2024-07-02T12:00:00\.000Z$/,
        ),
      ],
    ]);
  });

  it('reads a window ending now to its end in the last quarter hour of the day: the next day’s folder holds nothing yet', () => {
    const lateNow = new Date('2025-03-02T23:55:00Z');
    const endingNow = { start: new Date('2025-03-01T23:55:00Z'), end: lateNow };

    const held = heldWindow(layout('2020/01/01,NOW'), endingNow, lateNow, 'athena:cloudtrail.events');

    expect(held).toEqual({ window: endingNow, cut: false, unsearched: [] });
  });

  it('still leaves out the last quarter hour of a range that ends before today, whose next day’s folder the table lacks', () => {
    const lateNow = new Date('2025-03-02T23:55:00Z');
    const endingNow = { start: new Date('2025-03-01T12:00:00Z'), end: lateNow };

    const held = heldWindow(layout('2020/01/01,NOW-1DAY'), endingNow, lateNow, 'athena:cloudtrail.events');

    expect(held.window).toEqual({ start: endingNow.start, end: new Date('2025-03-01T23:45:00.000Z') });
    expect(held.window ? held.unsearched.map((place) => place.region) : []).toEqual([
      '(after 2025-03-01T23:45:00.000Z) athena:cloudtrail.events',
    ]);
  });

  it('holds nothing of a window outside the days, and says why for each key', () => {
    const held = heldWindow(layout('2020/01/01,2024/06/01'), window, NOW, 'athena:cloudtrail.events');

    expect(held.window).toBeUndefined();
    expect(held.window ? '' : held.why('AKIAIOSFODNN7EXAMPLE')).toMatch(
      /holds the days 2020\/01\/01 to 2024\/06\/01 only .*: the window is outside them; .*--key AKIAIOSFODNN7EXAMPLE --start 2024-06-29T12:00:00\.000Z --end 2024-07-02T12:00:00\.000Z$/,
    );
  });

  it('takes no range of a table whose date column it does not prune on', () => {
    const unpruned: TableLayout = { ...layout('2024/06/30,2024/07/01'), partitions: {} };

    expect(heldWindow(unpruned, window, NOW, 'athena:cloudtrail.events')).toMatchObject({ window, cut: false });
  });
});
