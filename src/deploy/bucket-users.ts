import { ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { toAwsCallError } from '../aws/aws-errors.js';
import type { CloudFormationApi } from '../aws/narrow-clients.js';
import { isOwnDescription } from './own-stack.js';
import { findStack } from './stack-description.js';

/** The names of the stacks that still exist, other than `exceptStack`, whose template may be exposed-keys'. */
async function candidateStacks(cloudFormation: CloudFormationApi, exceptStack: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      // Every status but deleted: a stack rolling back or cleaning up reads its code again.
      const page = await cloudFormation.send(new ListStacksCommand({ NextToken: nextToken }));
      for (const summary of page.StackSummaries ?? []) {
        const description = summary.TemplateDescription;
        if (
          summary.StackName &&
          summary.StackName !== exceptStack &&
          summary.StackStatus !== 'DELETE_COMPLETE' &&
          (!description || isOwnDescription(description))
        )
          names.push(summary.StackName);
      }
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    throw toAwsCallError('cloudformation:ListStacks', error);
  }
  return names;
}

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
  const users: string[] = [];
  for (const name of await candidateStacks(cloudFormation, exceptStack)) {
    // Gone since it was listed: it runs from nothing.
    const parameters = (await findStack(cloudFormation, name))?.Parameters ?? [];
    if (
      parameters.some((parameter) => parameter.ParameterKey === 'ArtifactBucket' && parameter.ParameterValue === bucket)
    )
      users.push(name);
  }
  return users;
}
