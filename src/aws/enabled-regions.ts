import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { compareText } from '../common/compare-text.js';
import { toAwsCallError } from './aws-errors.js';
import type { AwsContext } from './client-config.js';
import { clientConfig } from './client-config.js';
import type { Ec2Client } from './narrow-clients.js';

/** The regions enabled in the account (opted in, or not needing to be), sorted. */
export async function enabledRegions(ec2: Ec2Client): Promise<string[]> {
  try {
    const answer = await ec2.send(new DescribeRegionsCommand({ AllRegions: false }));
    return (answer.Regions ?? [])
      .filter((region) => region.OptInStatus !== 'not-opted-in')
      .map((region) => region.RegionName)
      .filter((name): name is string => typeof name === 'string' && name !== '')
      .sort(compareText);
  } catch (error) {
    throw toAwsCallError('ec2:DescribeRegions', error);
  }
}

/**
 * {@link enabledRegions} with a client of its own. Callers import this module lazily: the EC2
 * client is the largest the tool uses, and most runs name their regions.
 */
export function listEnabledRegions(context: AwsContext): Promise<string[]> {
  return enabledRegions(new EC2Client(clientConfig(context)));
}
