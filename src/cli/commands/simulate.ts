import type { Command } from 'commander';
import { topicRegion } from '../../aws/aws-names.js';
import { ExitCode, type ExitCodeValue, InvalidInputError } from '../../errors.js';
import { runAction, withCommonOptions } from '../command-kit.js';
import {
  awsContext,
  type CommonOptions,
  DEFAULT_STACK_NAME,
  parseAccessKeyId,
  parseTopicArn,
  parseUserName,
  stackRegion,
} from '../options.js';
import type { Output } from '../output.js';

interface SimulateFlags extends CommonOptions {
  key?: string;
  user?: string;
  source: string;
  createTestUser?: boolean;
  local?: boolean;
  wait: boolean;
  topic?: string;
  stackName: string;
}

const SOURCES = ['trusted-advisor', 'health'] as const;

/** `exposed-keys simulate`: fire a realistic exposed-key event and follow what the state machine does. */
export function registerSimulate(program: Command, setExitCode: (code: ExitCodeValue) => void): void {
  withCommonOptions(
    program
      .command('simulate')
      .description('fire a simulated exposed-key event at the state machine and follow it')
      .option('--key <id>', 'the access key to report as exposed (it will be contained!)')
      .option('--user <name>', "the user to name in the event (default: the key's owner)")
      .option('--source <source>', 'trusted-advisor | health', 'trusted-advisor')
      .option(
        '--create-test-user',
        'create a user with no permissions and a key, simulate, check the key is gone, remove the user',
      )
      .option(
        '--local',
        "run the template's state machine on this machine with the real steps (nothing deployed needed)",
      )
      .option('--topic <arn>', "with --local: SNS topic to notify (default: the stack's, else print the message)")
      .option('--no-wait', 'return once the execution has started')
      .option('--stack-name <name>', 'stack name', DEFAULT_STACK_NAME),
  ).action(async (flags: SimulateFlags) => {
    setExitCode(await runAction(flags, (output) => simulate(flags, output)));
  });
}

function validate(flags: SimulateFlags) {
  if (!(SOURCES as readonly string[]).includes(flags.source))
    throw new InvalidInputError('--source', `--source must be one of ${SOURCES.join(', ')}.`);
  if (flags.createTestUser && (flags.key !== undefined || flags.user !== undefined))
    throw new InvalidInputError(
      '--create-test-user',
      '--create-test-user makes its own user and key: leave out --key and --user.',
    );
  if (flags.createTestUser && !flags.wait)
    throw new InvalidInputError(
      '--no-wait',
      '--create-test-user must wait for the execution, to check the key and remove the user.',
    );
  if (flags.local && !flags.wait) throw new InvalidInputError('--no-wait', '--local runs here and always waits.');
  if (flags.topic !== undefined && !flags.local)
    throw new InvalidInputError('--topic', '--topic applies to --local; the deployed stack notifies its own topic.');
  return {
    accessKeyId: flags.createTestUser ? undefined : parseAccessKeyId(flags.key),
    userName: parseUserName(flags.user),
    topic: parseTopicArn(flags.topic),
    source: flags.source as (typeof SOURCES)[number],
  };
}

async function simulate(flags: SimulateFlags, output: Output): Promise<ExitCodeValue> {
  const region = stackRegion(flags);
  const { accessKeyId, userName, topic, source } = validate(flags);
  if (flags.local) await import('../../state-machine/promise-with-resolvers.js');
  const [{ AwsClients }, run, render, { callerAccount }, stackTopic] = await Promise.all([
    import('../../aws/clients.js'),
    import('../run/simulate.js'),
    import('../render/simulate.js'),
    import('../aws-account.js'),
    import('../run/stack-topic.js'),
  ]);
  const clients = new AwsClients(awsContext(flags, region));
  const accountId = await callerAccount(await clients.sts());
  const cloudFormation = await clients.cloudFormation();
  let sns: Awaited<ReturnType<typeof clients.sns>> | undefined;
  if (flags.local) {
    const topicArn =
      topic?.arn ??
      (await stackTopic.stackResourceId(cloudFormation, flags.stackName, stackTopic.TOPIC_LOGICAL_ID)) ??
      undefined;
    if (topicArn) sns = await new AwsClients(awsContext(flags, topicRegion(topicArn) ?? region)).sns();
    const topicWarning = topic && sns ? await stackTopic.checkTopic(sns, topic.arn) : undefined;
    if (topicWarning) output.warn(topicWarning);
  }
  const result = await run.runSimulation(
    {
      iam: await clients.iam(),
      sfn: await clients.sfn(),
      cloudFormation,
      cloudTrail: await clients.cloudTrail(),
      listRegions: () => clients.listRegions(),
      sns,
    },
    {
      accountId,
      accessKeyId,
      userName,
      source,
      createTestUser: flags.createTestUser ?? false,
      local: flags.local ?? false,
      wait: flags.wait,
      stackName: flags.stackName,
      region,
      topicArn: topic?.arn,
      onTransition: (transition) => output.info(render.renderTransition(transition, output.palette)),
      onStep: (message) => output.info(message),
    },
  );
  if (output.json) output.printJson(result);
  else output.result(render.renderSimulation(result, output.palette));
  if (result.testUser && !result.testUser.removed)
    output.warn(`Test user ${result.testUser.userName} was not removed.`);

  const { status, error } = result.execution;
  if (status === 'RUNNING' && !flags.wait) return ExitCode.ok;
  if (error === 'KeyNotContained') return ExitCode.needsHuman;
  if (result.testUser && result.testUser.keyStatusAfter === 'Active') return ExitCode.needsHuman;
  return status === 'SUCCEEDED' ? ExitCode.ok : ExitCode.awsFailed;
}
