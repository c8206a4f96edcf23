import { describe, expect, it } from 'vitest';
import { paletteOf } from '../../../../src/cli/output.js';
import { renderPlan } from '../../../../src/cli/render/respond.js';
import type { RespondOptions, RespondPlan } from '../../../../src/cli/run/respond.js';
import { deletedReport, REPORT_KEY } from '../../../support/reports.js';

const report = deletedReport();

/** The plan of a key to delete, as planResponse makes it. */
const PLANNED: RespondPlan = {
  incident: report.incident as RespondPlan['incident'],
  plan: {
    status: 'done',
    result: {
      ...(report.containment.status === 'done' ? report.containment.result : ({} as never)),
      dryRun: true,
      outcome: 'planned',
      contained: false,
      summary: `Dry run: would delete ${REPORT_KEY} of alice; nothing was changed.`,
      actions: [
        { kind: 'delete-access-key', target: REPORT_KEY, status: 'planned', detail: `delete ${REPORT_KEY} of alice` },
      ],
    },
  },
  warnings: [],
};

const OPTIONS: RespondOptions = {
  accessKeyId: REPORT_KEY,
  mode: 'delete',
  revokeSessions: false,
  dryRun: true,
  window: { start: new Date('2026-11-26T03:00:00Z'), end: new Date('2026-11-27T03:00:00Z') },
  searchedWhere: 'Athena table cloudtrail.events (every region)',
  notifiedWhom: 'nobody',
};

describe('renderPlan', () => {
  it("says where Athena writes the query results, a dry run's only write", () => {
    const options = { ...OPTIONS, investigationWritesTo: 's3://out/x/' };

    expect(renderPlan(PLANNED, options, paletteOf(false)).split('\n')).toContain(
      "  - Athena writes the query results to s3://out/x/: the dry run's only write",
    );
    expect(renderPlan(PLANNED, { ...options, dryRun: false }, paletteOf(false)).split('\n')).toContain(
      '  - Athena writes the query results to s3://out/x/',
    );
  });

  it('says nothing of writes when the investigation writes none', () => {
    expect(renderPlan(PLANNED, OPTIONS, paletteOf(false))).not.toMatch(/writes/);
  });
});
