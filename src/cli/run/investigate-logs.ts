import type { AwsClients } from '../../aws/clients.js';
import type { InvestigationOutcome, InvestigationRequest } from './investigate.js';

/** Investigates from CloudTrail log files. */
export async function investigateLogFiles(
  _clients: AwsClients,
  _request: InvestigationRequest,
): Promise<InvestigationOutcome> {
  throw new Error('not yet');
}
