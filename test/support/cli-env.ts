import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { attackAs } from '../../demo/attack-records.js';
import {
  type CloudTrailLookupServer,
  type LookupFault,
  startCloudTrailLookupServer,
} from '../../emulators/cloudtrail-lookup-server.js';
import { type FaultProxy, type ProxiedCall, startFaultProxy } from '../../emulators/fault-proxy.js';
import { accessKeyOf, type CloudTrailRecord } from '../../src/activity/cloudtrail-record.js';
import { type CliResult, type CliRunOptions, runCli } from './cli-runner.js';
import { type IsolatedCliEnv, isolatedCliEnv } from './isolated-cli-env.js';
import { type MotoClients, useMoto } from './moto.js';

/** The account moto answers as. */
export const MOTO_ACCOUNT = '123456789012';

/** Moto, the CloudTrail fixture and the fault proxy that a CLI run talks to, with clients to check on them. */
export interface CliEnvironment {
  moto: MotoClients;
  cloudFormation: CloudFormationClient;
  sfn: SFNClient;
  proxy: FaultProxy;
  cloudTrail: CloudTrailLookupServer;
  /** The complete environment of a CLI run: credentials, region, endpoints; nothing from this machine's AWS setup. */
  env: Record<string, string>;
  /** Runs the built CLI with {@link env}, changed by `overrides` (an undefined value unsets a variable). */
  run(
    args: readonly string[],
    overrides?: Record<string, string | undefined>,
    options?: CliRunOptions,
  ): Promise<CliResult>;
  /** Makes LookupEvents answer every request with `fault` (null: answer normally) until the test ends. */
  setLookupFault(fault: LookupFault | null): void;
  /** Every call the CLI made through the proxy since the test began. */
  calls(): ProxiedCall[];
  /** The actions of those calls, in order (`DeleteAccessKey`, `Publish`…). */
  actions(): string[];
  /**
   * The calls that could have changed something: anything but Get*, List*, Describe*, Lookup*
   * (S3's REST calls, which have no action name, count as such: see {@link wire}).
   */
  mutatingCalls(): ProxiedCall[];
  /** Every request that reached moto since the test began, with its method and path (S3 included). */
  wire(): ProxiedCall[];
  /** Forgets the calls and requests seen so far, to look at those of the next run only. */
  forgetCalls(): void;
  /**
   * Serves part of the recorded attack as the CloudTrail activity of `accessKeyId` (the `events`
   * latest records, ending at `endAt`): LookupEvents allows 2 requests per second, so the whole
   * attack would take half a minute to read. Returns the records served.
   */
  serveAttack(target: {
    accessKeyId: string;
    userName: string;
    endAt: Date;
    events?: number;
  }): Promise<CloudTrailRecord[]>;
}

const READ_ACTION = /^(Get|List|Describe|Lookup)/;

/**
 * Security Hub's GetFindings (POST /findings) and BatchImportFindings (POST /findings/import), REST
 * calls with no action name: the finding reports the incident, as the notification does, and
 * changes nothing in the account.
 */
function isFindingReport(call: ProxiedCall): boolean {
  return call.service === 'securityhub' && (call.path === '/findings' || call.path === '/findings/import');
}

/**
 * Starts, for the test file, moto behind a fault proxy that records every call, and the CloudTrail
 * LookupEvents fixture; before each test it resets moto and forgets the calls, faults and records.
 * Returns a getter, since the servers start after the file is collected.
 */
export function useCliEnvironment(): () => CliEnvironment {
  const moto = useMoto();
  let environment: CliEnvironment | undefined;
  let isolated: IsolatedCliEnv | undefined;
  let lookupFault: LookupFault | null = null;

  beforeAll(async () => {
    const clients = moto();
    const proxy = await startFaultProxy(clients.endpoint);
    const cloudTrail = await startCloudTrailLookupServer({ records: [], fault: () => lookupFault });
    const config = { region: 'us-east-1', endpoint: clients.endpoint };
    isolated = isolatedCliEnv({ aws: proxy.endpoint, cloudTrail: cloudTrail.endpoint });
    const { env } = isolated;
    environment = {
      moto: clients,
      cloudFormation: new CloudFormationClient(config),
      sfn: new SFNClient(config),
      proxy,
      cloudTrail,
      env,
      run: (args, overrides = {}, options) => {
        const changed = Object.entries({ ...env, ...overrides }).filter(
          (entry): entry is [string, string] => entry[1] !== undefined,
        );
        return runCli([...args], Object.fromEntries(changed), options);
      },
      setLookupFault: (fault) => {
        lookupFault = fault;
      },
      calls: () => [...proxy.calls],
      actions: () => proxy.calls.map((call) => call.action),
      mutatingCalls: () => proxy.calls.filter((call) => !READ_ACTION.test(call.action) && !isFindingReport(call)),
      wire: () => [...proxy.calls],
      forgetCalls: () => {
        proxy.calls.length = 0;
      },
      async serveAttack({ accessKeyId, userName, endAt, events = 60 }) {
        const records = (await attackAs({ accessKeyId, userName, accountId: MOTO_ACCOUNT, endAt }))
          .filter((record) => accessKeyOf(record) === accessKeyId)
          .sort((a, b) => Date.parse(String(a.eventTime)) - Date.parse(String(b.eventTime)))
          .slice(-events);
        cloudTrail.setRecords(records);
        return records;
      },
    };
  });

  beforeEach(() => {
    if (!environment) return;
    environment.proxy.setRules([]);
    environment.forgetCalls();
    environment.proxy.requests.clear();
    environment.proxy.faulted.clear();
    lookupFault = null;
    environment.cloudTrail.setRecords([]);
    environment.cloudTrail.requests.clear();
    environment.cloudTrail.throttled.clear();
  });

  afterAll(async () => {
    await environment?.proxy.stop();
    await environment?.cloudTrail.stop();
    isolated?.remove();
  });

  return () => {
    if (!environment) throw new Error('the CLI environment is not running');
    return environment;
  };
}
