import { DescribeStacksCommand, ListStacksCommand, type StackStatus } from '@aws-sdk/client-cloudformation';
import { toAwsCallError } from '../aws/aws-errors.js';
import type { CloudFormationApi } from '../aws/narrow-clients.js';

/** The statuses of a stack that still exists (ListStacks lists deleted ones too, for 90 days). */
const EXISTING: StackStatus[] = [
  'CREATE_COMPLETE',
  'CREATE_FAILED',
  'CREATE_IN_PROGRESS',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
  'REVIEW_IN_PROGRESS',
  'ROLLBACK_COMPLETE',
  'ROLLBACK_FAILED',
  'UPDATE_COMPLETE',
  'UPDATE_FAILED',
  'UPDATE_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE',
  'UPDATE_ROLLBACK_FAILED',
  'DELETE_FAILED',
];

/**
 * The other exposed-keys stacks whose functions run from `bucket` (their `ArtifactBucket`): its
 * artifacts are their code, which an update or a rollback of theirs reads again. Only stacks whose
 * template says it is exposed-keys' (or says nothing) are described.
 *
 * @throws AwsCallError when CloudFormation cannot be asked.
 */
export async function otherStacksDeployingFrom(
  cloudFormation: CloudFormationApi,
  bucket: string,
  exceptStack: string,
): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await cloudFormation.send(
        new ListStacksCommand({ StackStatusFilter: EXISTING, NextToken: nextToken }),
      );
      for (const summary of page.StackSummaries ?? []) {
        const description = summary.TemplateDescription;
        if (
          summary.StackName &&
          summary.StackName !== exceptStack &&
          (!description || description.startsWith('exposed-keys'))
        )
          names.push(summary.StackName);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    const users: string[] = [];
    for (const name of names) {
      const [stack] = (await cloudFormation.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? [];
      const artifactBucket = stack?.Parameters?.find((parameter) => parameter.ParameterKey === 'ArtifactBucket');
      if (artifactBucket?.ParameterValue === bucket) users.push(name);
    }
    return users;
  } catch (error) {
    throw toAwsCallError('cloudformation:ListStacks', error);
  }
}
