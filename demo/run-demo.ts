import { spawn } from 'node:child_process';
import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startCloudTrailLookupServer } from '../emulators/cloudtrail-lookup-server.js';
import { startMoto } from '../emulators/moto.js';
import { createOrganization } from '../emulators/organization.js';
import { projectPaths } from '../src/common/project-root.js';
import { attackAs } from './attack-records.js';

/*
 * The demonstration: the whole product against local emulators, with no AWS account. It starts
 * moto and the LookupEvents fixture on 127.0.0.1, deploys the stack, replays a recorded attack as
 * the activity of keys it creates, runs `simulate --local` and `respond` as a user would, shows the
 * messages the security team would receive, then turns the stack into an organisation's hub and
 * contains a member account's key there (`deploy --org`, `respond --account`), and removes
 * everything it started.
 */

const { bin: BIN, dataSet: DATA_SET } = projectPaths();
const ACCOUNT = '123456789012';
const bold = (text: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[1m${text}\u001b[22m` : text);

function banner(step: string, text: string): void {
  process.stdout.write(
    `\n${bold(`── ${step} ${text} ${'─'.repeat(Math.max(3, 70 - step.length - text.length))}`)}\n\n`,
  );
}

/** Runs the CLI as a user would, showing its output; resolves with its exit code. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  process.stdout.write(`${bold(`$ exposed-keys ${args.join(' ')}`)}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** The head of a received message: its headline and what a responder reads first, up to the detail. */
function headOf(message: string): string {
  const [headline = '', head = ''] = message.split('\n\n');
  return `${headline}\n${head}`
    .split('\n')
    .map((line) => `  │ ${line}`)
    .join('\n');
}

async function userWithKey(iam: IAMClient, userName: string): Promise<string> {
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return key.AccessKey?.AccessKeyId as string;
}

async function keysOf(iam: IAMClient, userName: string): Promise<string> {
  const keys = await iam.send(new ListAccessKeysCommand({ UserName: userName }));
  const list = (keys.AccessKeyMetadata ?? []).map((key) => `${key.AccessKeyId} ${key.Status}`);
  return list.length ? list.join(', ') : 'no keys';
}

async function main(): Promise<number> {
  banner('1/8', 'Starting the AWS emulator (moto) and the CloudTrail LookupEvents fixture on 127.0.0.1');
  const moto = await startMoto();
  const cloudTrail = await startCloudTrailLookupServer({ records: [] });
  const failures: string[] = [];
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ENDPOINT_URL_CLOUDTRAIL: cloudTrail.endpoint,
      AWS_ACCESS_KEY_ID: 'demo',
      AWS_SECRET_ACCESS_KEY: 'demo',
      AWS_REGION: 'us-east-1',
      AWS_PROFILE: '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    delete env.AWS_SESSION_TOKEN;
    Object.assign(process.env, env);
    const config = { region: 'us-east-1', endpoint: moto.endpoint };
    const iam = new IAMClient(config);
    process.stdout.write(
      `moto on ${moto.endpoint}; LookupEvents (2 requests/s per region) on ${cloudTrail.endpoint}\n`,
    );

    banner('2/8', 'Deploying the stack (investigating us-east-1 only, to keep the demonstration short)');
    if ((await cli(['deploy', '--yes', '--regions', 'us-east-1'], env)) !== 0) failures.push('deploy');
    // moto's CloudFormation does not create the schedule group the template names after the stack.
    await new SchedulerClient(config).send(new CreateScheduleGroupCommand({ Name: 'exposed-keys' }));

    banner('3/8', 'Two developers leak keys; a recorded attack is replayed as their activity');
    const aliceKey = await userWithKey(iam, 'alice-dev');
    const aliceSpare = await iam.send(new CreateAccessKeyCommand({ UserName: 'alice-dev' }));
    const bobKey = await userWithKey(iam, 'bob-ci');
    const endAt = new Date(Date.now() - 2 * 3_600_000);
    cloudTrail.setRecords([
      ...(await attackAs({ accessKeyId: aliceKey, userName: 'alice-dev', accountId: ACCOUNT, endAt })),
      ...(await attackAs({ accessKeyId: bobKey, userName: 'bob-ci', accountId: ACCOUNT, endAt })),
    ]);
    process.stdout.write(
      `alice-dev: ${aliceKey} (leaked) and ${aliceSpare.AccessKey?.AccessKeyId} (in use, must survive)\nbob-ci:    ${bobKey} (leaked)\n` +
        'Each leaked key made the 2,104 calls of a Stratus Red Team attack simulation (data/cloudtrail, MIT).\n',
    );
    const sns = new SNSClient(config);
    const sqs = new SQSClient(config);
    const cloudFormation = new CloudFormationClient(config);
    // All the stack's resources, then the topic: moto fails a request filtered by logical id when a
    // resource's condition is false (organisation mode's are, here).
    const resources = await cloudFormation.send(new DescribeStackResourcesCommand({ StackName: 'exposed-keys' }));
    const topicArn = resources.StackResources?.find(
      (resource) => resource.LogicalResourceId === 'NotificationTopic',
    )?.PhysicalResourceId;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'security-team-inbox' }));
    const queue = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queue.Attributes?.QueueArn,
      }),
    );

    banner('4/8', "Trusted Advisor reports alice-dev's key: the stack's state machine runs here (simulate --local)");
    if ((await cli(['simulate', '--local', '--key', aliceKey, '--yes'], env)) !== 0) failures.push('simulate --local');
    process.stdout.write(`\nalice-dev's keys now: ${await keysOf(iam, 'alice-dev')}\n`);

    banner('5/8', "A responder handles bob-ci's key by hand (respond)");
    if ((await cli(['respond', '--key', bobKey, '--regions', 'us-east-1', '--yes'], env)) !== 0)
      failures.push('respond');
    process.stdout.write(`\nbob-ci's keys now: ${await keysOf(iam, 'bob-ci')}\n`);

    banner('6/8', 'What the security team received, and the same attack read from log files (investigate --logs)');
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    for (const message of received.Messages ?? []) {
      const body = JSON.parse(message.Body ?? '{}') as { Subject?: string; Message?: string };
      process.stdout.write(`${bold(`✉ ${body.Subject}`)}\n${headOf(body.Message ?? '')}\n\n`);
    }
    if ((received.Messages ?? []).length !== 2) failures.push('two notifications');
    const logs = ['--logs', DATA_SET, '--start', '2023-07-10T00:00:00Z', '--end', '2023-07-11T00:00:00Z'];
    if ((await cli(['investigate', '--key', 'AKIATFQR7NSC8Q4X20BJ', ...logs, '--no-follow-sessions'], env)) !== 0)
      failures.push('investigate --logs');

    banner('7/8', 'Organisation mode: the stack becomes the hub of every account (deploy --org, respond --account)');
    const organization = await createOrganization(moto.endpoint, 'payments-prod');
    const memberId = organization.member.accountId;
    process.stdout.write(
      `An organisation ${organization.organizationId}: this account manages it; payments-prod is ${memberId}.\n`,
    );
    if ((await cli(['deploy', '--org', '--yes', '--regions', 'us-east-1'], env)) !== 0) failures.push('deploy --org');
    const carolKey = await userWithKey(organization.member.iam, 'carol-ops');
    process.stdout.write(
      `\ncarol-ops in payments-prod leaks ${carolKey}; the hub responds in that account, through its role:\n`,
    );
    const inMember = ['--account', memberId, '--key', carolKey, '--regions', 'us-east-1', '--yes'];
    if ((await cli(['respond', ...inMember], env)) !== 0) failures.push('respond --account');
    process.stdout.write(
      `\ncarol-ops's keys in payments-prod now: ${await keysOf(organization.member.iam, 'carol-ops')}\n`,
    );

    banner('8/8', 'Removing the hub and everything it made');
    // moto removes a service-managed StackSet's instances by account only (AWS: by organizational
    // unit only), so there `destroy --org` stops before the StackSet, as it must when member
    // stacks are left.
    process.stdout.write(
      'On AWS, `exposed-keys destroy --org` removes the member stacks, then the StackSet, then the hub.\n' +
        "moto cannot remove a StackSet's stacks by organizational unit, so here the hub alone is removed;\n" +
        'the StackSet goes with the emulator.\n\n',
    );
    if ((await cli(['destroy', '--yes', '--delete-bucket'], env)) !== 0) failures.push('destroy');
  } finally {
    await cloudTrail.stop();
    await moto.stop();
  }
  process.stdout.write(
    failures.length === 0
      ? `\n${bold('Done.')} Nothing is left running. Try it on your account: exposed-keys deploy --email you@example.com\n`
      : `\nThe demonstration had failures: ${failures.join(', ')}\n`,
  );
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `The demonstration could not run: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    const hint = (error as { hint?: string }).hint;
    if (hint) process.stderr.write(`hint: ${hint}\n`);
    process.exitCode = 1;
  },
);
