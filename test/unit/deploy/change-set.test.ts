import {
  CloudFormationClient,
  CloudFormationServiceException,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
  type Stack,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { discardChangeSet, prepareChangeSet } from '../../../src/deploy/change-set.js';
import { StackBusyError } from '../../../src/deploy/deploy-errors.js';
import { parseTemplate } from '../../../src/deploy/template.js';
import { DeploymentError, InvalidInputError } from '../../../src/errors.js';

const STACK = 'exposed-keys';
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/exposed-keys/1';
const CHANGE_SET = 'exposed-keys-test';
const CHANGE_SET_ID = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/exposed-keys-test/1';
const TEMPLATE = `
Parameters:
  ArtifactKey: { Type: String }
  ContainmentMode: { Type: String, Default: delete }
Resources:
  Topic: { Type: AWS::SNS::Topic }
`;
const NO_CHANGES =
  "The submitted information didn't contain changes. Submit different information to create a change set.";
const cloudFormationMock = mockClient(CloudFormationClient);

function stackMissing(): CloudFormationServiceException {
  return new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `Stack with id ${STACK} does not exist`,
  });
}

function stack(status: string, extra: Partial<Stack> = {}): Stack {
  return {
    StackName: STACK,
    StackId: STACK_ID,
    StackStatus: status as StackStatus,
    Description: 'exposed-keys: a test stack',
    CreationTime: new Date('2026-11-27T03:00:00Z'),
    ...extra,
  };
}

function deps() {
  return {
    cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
    poll: { sleep: vi.fn(async () => {}), intervalMs: 5_000 },
    progress: { onStep: vi.fn() },
  };
}

function input(parameters: Record<string, string> = { ArtifactKey: 'lambda/abc.zip' }) {
  return { stackName: STACK, templateBody: TEMPLATE, parameters, changeSetName: CHANGE_SET };
}

beforeEach(() => {
  cloudFormationMock.reset();
  cloudFormationMock.on(ListChangeSetsCommand).resolves({ Summaries: [] });
  cloudFormationMock.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ID, StackId: STACK_ID });
  cloudFormationMock.on(DescribeChangeSetCommand).resolves({
    Status: 'CREATE_COMPLETE',
    ExecutionStatus: 'AVAILABLE',
    Changes: [
      {
        Type: 'Resource',
        ResourceChange: { Action: 'Add', LogicalResourceId: 'Topic', ResourceType: 'AWS::SNS::Topic' },
      },
    ],
  });
  cloudFormationMock.on(DeleteChangeSetCommand).resolves({});
  cloudFormationMock.on(DeleteStackCommand).resolves({});
});

describe('prepareChangeSet', () => {
  it('creates and describes a CREATE change set, naming every parameter, when the stack does not exist', async () => {
    cloudFormationMock.on(DescribeStacksCommand).rejects(stackMissing());

    const prepared = await prepareChangeSet(deps(), input());

    expect(cloudFormationMock).toHaveReceivedCommandWith(CreateChangeSetCommand, {
      StackName: STACK,
      ChangeSetName: CHANGE_SET,
      ChangeSetType: 'CREATE',
      // The template as compact JSON: what CloudFormation reads, without the YAML's layout.
      TemplateBody: JSON.stringify({
        Parameters: { ArtifactKey: { Type: 'String' }, ContainmentMode: { Type: 'String', Default: 'delete' } },
        Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
      }),
      // The default of a parameter not given is named: the new stack's parameters all come from this deploy.
      Parameters: [
        { ParameterKey: 'ArtifactKey', ParameterValue: 'lambda/abc.zip' },
        { ParameterKey: 'ContainmentMode', ParameterValue: 'delete' },
      ],
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    });
    expect(cloudFormationMock).toHaveReceivedCommandWith(DescribeChangeSetCommand, {
      StackName: STACK,
      ChangeSetName: CHANGE_SET,
    });
    expect(prepared).toEqual({
      stackName: STACK,
      stackId: STACK_ID,
      changeSetName: CHANGE_SET,
      changeSetId: CHANGE_SET_ID,
      changeSetType: 'CREATE',
      noChanges: false,
      changes: [
        { action: 'Add', logicalId: 'Topic', physicalId: undefined, type: 'AWS::SNS::Topic', replacement: undefined },
      ],
    });
    expect(cloudFormationMock).not.toHaveReceivedCommand(ExecuteChangeSetCommand);
  });

  it('creates an UPDATE change set for a deployed stack, keeping the parameters not given', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        stack('UPDATE_COMPLETE', {
          Parameters: [
            { ParameterKey: 'ArtifactKey', ParameterValue: 'lambda/old.zip' },
            { ParameterKey: 'ContainmentMode', ParameterValue: 'delete' },
          ],
        }),
      ],
    });

    const prepared = await prepareChangeSet(deps(), input({ ContainmentMode: 'deactivate' }));

    expect(prepared.changeSetType).toBe('UPDATE');
    expect(cloudFormationMock).toHaveReceivedCommandWith(CreateChangeSetCommand, {
      ChangeSetType: 'UPDATE',
      Parameters: [
        { ParameterKey: 'ArtifactKey', UsePreviousValue: true },
        { ParameterKey: 'ContainmentMode', ParameterValue: 'deactivate' },
      ],
    });
  });

  it('refuses a stack of that name exposed-keys did not make, before making anything', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [stack('CREATE_COMPLETE', { Description: 'Payments: the orders queue' })] });

    await expect(prepareChangeSet(deps(), { stackName: STACK })).rejects.toThrow(
      /exists and was not made by exposed-keys \(its description: "Payments: the orders queue"\)/,
    );
    expect(cloudFormationMock).not.toHaveReceivedCommand(CreateChangeSetCommand);
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackCommand);
  });

  it('reports the replacement of a resource that an update changes', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('CREATE_COMPLETE')] });
    cloudFormationMock.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      Changes: [
        {
          ResourceChange: {
            Action: 'Modify',
            LogicalResourceId: 'Topic',
            PhysicalResourceId: 'arn:aws:sns:us-east-1:123456789012:exposed-keys-Topic',
            ResourceType: 'AWS::SNS::Topic',
            Replacement: 'True',
          },
        },
      ],
    });

    const prepared = await prepareChangeSet(deps(), input());

    expect(prepared.changes).toEqual([
      {
        action: 'Modify',
        logicalId: 'Topic',
        physicalId: 'arn:aws:sns:us-east-1:123456789012:exposed-keys-Topic',
        type: 'AWS::SNS::Topic',
        replacement: 'True',
      },
    ]);
  });

  it('waits, with the injected sleep, until CloudFormation has computed the change set', async () => {
    cloudFormationMock.on(DescribeStacksCommand).rejects(stackMissing());
    cloudFormationMock
      .on(DescribeChangeSetCommand)
      .resolvesOnce({ Status: 'CREATE_PENDING' })
      .resolvesOnce({ Status: 'CREATE_IN_PROGRESS' })
      .resolves({ Status: 'CREATE_COMPLETE', Changes: [] });
    const dependencies = deps();

    await prepareChangeSet(dependencies, input());

    expect(cloudFormationMock).toHaveReceivedCommandTimes(DescribeChangeSetCommand, 3);
    expect(dependencies.poll.sleep.mock.calls).toEqual([
      [5_000, undefined],
      [5_000, undefined],
    ]);
  });

  it('reads every page of changes', async () => {
    cloudFormationMock.on(DescribeStacksCommand).rejects(stackMissing());
    const add = (id: string) => ({
      ResourceChange: { Action: 'Add' as const, LogicalResourceId: id, ResourceType: 'AWS::SNS::Topic' },
    });
    cloudFormationMock
      .on(DescribeChangeSetCommand)
      .resolvesOnce({ Status: 'CREATE_COMPLETE', Changes: [add('A')], NextToken: 'next' })
      .resolvesOnce({ Status: 'CREATE_COMPLETE', Changes: [add('B')] });

    const prepared = await prepareChangeSet(deps(), input());

    expect(prepared.changes.map((change) => change.logicalId)).toEqual(['A', 'B']);
    expect(cloudFormationMock).toHaveReceivedCommandWith(DescribeChangeSetCommand, { NextToken: 'next' });
  });

  it('deletes an empty change set and reports no changes', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cloudFormationMock.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: NO_CHANGES });
    const dependencies = deps();

    const prepared = await prepareChangeSet(dependencies, input());

    expect(prepared).toMatchObject({ noChanges: true, changes: [], changeSetType: 'UPDATE' });
    expect(cloudFormationMock).toHaveReceivedCommandWith(DeleteChangeSetCommand, {
      StackName: STACK,
      ChangeSetName: CHANGE_SET,
    });
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackCommand);
    expect(cloudFormationMock).not.toHaveReceivedCommand(ExecuteChangeSetCommand);
    expect(dependencies.progress.onStep).toHaveBeenCalledWith(expect.stringMatching(/no changes/));
  });

  it('reports no changes when CloudFormation refuses to make the change set at all', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    cloudFormationMock.on(CreateChangeSetCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'No updates are to be performed.',
      }),
    );

    const prepared = await prepareChangeSet(deps(), input());

    expect(prepared).toMatchObject({ noChanges: true, stackId: STACK_ID, changeSetId: '' });
    expect(cloudFormationMock).not.toHaveReceivedCommand(DescribeChangeSetCommand);
  });

  it('throws DeploymentError with the reason, and removes the attempt, when the change set fails', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .rejectsOnce(stackMissing())
      .resolves({ Stacks: [stack('REVIEW_IN_PROGRESS')] });
    cloudFormationMock
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'FAILED', StatusReason: 'Template format error: Unresolved resource dependencies [Nope]' });

    const failure = prepareChangeSet(deps(), input());

    await expect(failure).rejects.toBeInstanceOf(DeploymentError);
    await expect(failure).rejects.toThrow(/Unresolved resource dependencies \[Nope\]/);
    expect(cloudFormationMock).toHaveReceivedCommandWith(DeleteChangeSetCommand, { ChangeSetName: CHANGE_SET });
    expect(cloudFormationMock).toHaveReceivedCommandWith(DeleteStackCommand, { StackName: STACK_ID });
  });

  it('refuses a stack in the middle of another operation, before making anything', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });

    await expect(prepareChangeSet(deps(), input())).rejects.toBeInstanceOf(StackBusyError);
    expect(cloudFormationMock).not.toHaveReceivedCommand(CreateChangeSetCommand);
  });

  it('refuses a stack whose first deploy was rolled back unless the host agreed to delete it', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('ROLLBACK_COMPLETE')] });

    await expect(prepareChangeSet(deps(), input())).rejects.toThrow(
      /left in ROLLBACK_COMPLETE by a failed first deploy, and was not deleted/,
    );
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackCommand);
    expect(cloudFormationMock).not.toHaveReceivedCommand(CreateChangeSetCommand);
  });

  it('deletes a stack whose first deploy was rolled back, once the host agreed, then creates it again', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [stack('ROLLBACK_COMPLETE')] })
      .resolves({ Stacks: [stack('DELETE_COMPLETE')] });
    cloudFormationMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({
        StackEvents: [
          {
            EventId: '2',
            StackId: STACK_ID,
            StackName: STACK,
            LogicalResourceId: STACK,
            ResourceType: 'AWS::CloudFormation::Stack',
            ResourceStatus: 'DELETE_COMPLETE',
            Timestamp: new Date(),
          },
        ],
      });

    const prepared = await prepareChangeSet(deps(), { ...input(), deleteFailedStack: true });

    expect(cloudFormationMock).toHaveReceivedCommandWith(DeleteStackCommand, { StackName: STACK_ID });
    expect(cloudFormationMock).toHaveReceivedCommandWith(CreateChangeSetCommand, { ChangeSetType: 'CREATE' });
    expect(prepared.changeSetType).toBe('CREATE');
  });

  it('refuses a parameter the template does not declare, before making anything', async () => {
    cloudFormationMock.on(DescribeStacksCommand).rejects(stackMissing());

    await expect(prepareChangeSet(deps(), input({ Colour: 'blue' }))).rejects.toBeInstanceOf(InvalidInputError);
    expect(cloudFormationMock).not.toHaveReceivedCommand(CreateChangeSetCommand);
  });

  it('sends the template by URL when one is given', async () => {
    cloudFormationMock.on(DescribeStacksCommand).rejects(stackMissing());
    const templateUrl = 'https://bucket.s3.us-east-1.amazonaws.com/template.yaml';

    await prepareChangeSet(deps(), { ...input(), templateUrl });

    const sent = cloudFormationMock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(sent?.TemplateURL).toBe(templateUrl);
    expect(sent?.TemplateBody).toBeUndefined();
  });

  it('makes no change set for a template sent by URL that the stack has already, with the same parameters', async () => {
    const deployed = stack('UPDATE_COMPLETE', {
      Parameters: [
        { ParameterKey: 'ArtifactKey', ParameterValue: 'lambda/abc.zip' },
        { ParameterKey: 'ContainmentMode', ParameterValue: 'delete' },
      ],
    });
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [deployed] });
    // As CloudFormation keeps it: the compact JSON sent, in another layout.
    cloudFormationMock
      .on(GetTemplateCommand)
      .resolves({ TemplateBody: JSON.stringify(parseTemplate(TEMPLATE), null, 2) });
    const templateUrl = 'https://s3.us-east-1.amazonaws.com/bucket/templates/x.json';

    const same = await prepareChangeSet(deps(), { ...input(), templateUrl });
    const changed = await prepareChangeSet(deps(), { ...input({ ArtifactKey: 'lambda/def.zip' }), templateUrl });
    cloudFormationMock.on(GetTemplateCommand).resolves({ TemplateBody: TEMPLATE.replace('delete', 'deactivate') });
    const newTemplate = await prepareChangeSet(deps(), { ...input(), templateUrl });

    // A template read from Systems Manager at each update: left to the change set.
    const ssm = TEMPLATE.replace(
      'ContainmentMode: { Type: String',
      "ContainmentMode: { Type: 'AWS::SSM::Parameter::Value<String>'",
    );
    cloudFormationMock.on(GetTemplateCommand).resolves({ TemplateBody: ssm });
    const resolved = await prepareChangeSet(deps(), { ...input(), templateBody: ssm, templateUrl });

    expect(same).toMatchObject({ noChanges: true, changeSetType: 'UPDATE', changeSetId: '' });
    expect(resolved.noChanges).toBe(false);
    expect(changed.noChanges).toBe(false);
    expect(newTemplate.noChanges).toBe(false);
    expect(cloudFormationMock.commandCalls(CreateChangeSetCommand)).toHaveLength(3);
    expect(cloudFormationMock).toHaveReceivedCommandWith(GetTemplateCommand, {
      StackName: STACK_ID,
      TemplateStage: 'Original',
    });
  });
});

describe('discardChangeSet', () => {
  it('deletes the change set and the empty stack a CREATE change set made', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('REVIEW_IN_PROGRESS')] });

    await discardChangeSet(deps(), {
      stackName: STACK,
      stackId: STACK_ID,
      changeSetName: CHANGE_SET,
      changeSetType: 'CREATE',
    });

    expect(cloudFormationMock).toHaveReceivedCommandWith(DeleteChangeSetCommand, {
      StackName: STACK,
      ChangeSetName: CHANGE_SET,
    });
    expect(cloudFormationMock).toHaveReceivedCommandWith(DeleteStackCommand, { StackName: STACK_ID });
  });

  it('keeps the empty stack, and says so, when another change set waits on it or the wait cannot be told', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('REVIEW_IN_PROGRESS')] });
    cloudFormationMock.on(ListChangeSetsCommand).resolves({
      Summaries: [
        // Its own, being deleted, and another team's, waiting.
        { ChangeSetName: CHANGE_SET, StackId: STACK_ID, Status: 'DELETE_PENDING' },
        { ChangeSetName: 'payments-v1', StackId: STACK_ID, Status: 'CREATE_COMPLETE' },
      ],
    });
    const steps: string[] = [];
    const discard = () =>
      discardChangeSet(
        { ...deps(), progress: { onStep: (text: string) => steps.push(text) } },
        { stackName: STACK, stackId: STACK_ID, changeSetName: CHANGE_SET, changeSetType: 'CREATE' },
      );

    await discard();
    cloudFormationMock.on(ListChangeSetsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await discard();

    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackCommand);
    expect(steps).toContainEqual(`Kept the stack ${STACK}: other change sets wait on it (payments-v1)`);
    expect(steps).toContainEqual(
      expect.stringMatching(/^Kept the empty stack exposed-keys: whether other change sets wait/),
    );
  });

  it('leaves a deployed stack alone when it discards an UPDATE change set', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });

    await discardChangeSet(deps(), {
      stackName: STACK,
      stackId: STACK_ID,
      changeSetName: CHANGE_SET,
      changeSetType: 'UPDATE',
    });

    expect(cloudFormationMock).toHaveReceivedCommand(DeleteChangeSetCommand);
    expect(cloudFormationMock).not.toHaveReceivedCommand(DeleteStackCommand);
  });
});
