import type { Incident } from '../../src/incident/incident.js';

/** An incident for tests, with the fields a test does not care about filled in. */
export function incidentFor(accessKeyId: string, userName: string | null, overrides: Partial<Incident> = {}): Incident {
  return {
    source: 'trusted-advisor',
    accountId: '123456789012',
    accessKeyId,
    userName,
    location: 'https://github.com/example-org/app/blob/main/settings.py',
    fraudType: 'Exposed',
    caseId: 'case-1',
    detectedAt: '2026-11-26T22:00:00.000Z',
    eventId: 'event-1',
    ...overrides,
  };
}
