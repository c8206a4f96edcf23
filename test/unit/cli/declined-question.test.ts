import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { Output } from '../../../src/cli/output.js';
import type { DeployReport, RunDeployDeps } from '../../../src/deploy/run-deploy.js';
import type { RunDestroyDeps } from '../../../src/deploy/run-destroy.js';
import { ExitCode } from '../../../src/errors.js';
import { MEMBER_OPERATION_PREFERENCES } from '../../../src/organization/deploy/operation-preferences.js';
import type {
  OrganizationPlan,
  OrgDeployReport,
  RunOrgDeployDeps,
} from '../../../src/organization/deploy/run-org-deploy.js';
import type { ReleasePlan } from '../../../src/steps/lifecycle/release.js';

/** Where destroy --org is declined: at the hub's question, the StackSet gone (part way); or at the first, nothing removed. */
const orgDestroy = { partWay: true };

// The flows themselves are tested elsewhere: here each shows what it would do, asks, and is told no.
vi.mock('../../../src/deploy/run-deploy.js', () => ({
  runDeploy: async ({ io }: RunDeployDeps): Promise<DeployReport> => {
    io.notify({
      kind: 'change-set',
      changeSet: {
        stackName: 'exposed-keys',
        stackId: 'arn:stack',
        changeSetName: 'exposed-keys-1',
        changeSetId: 'arn:change-set',
        changeSetType: 'UPDATE',
        noChanges: false,
        changes: [
          {
            action: 'Modify',
            logicalId: 'ContainFunction',
            physicalId: 'f',
            type: 'AWS::Lambda::Function',
            replacement: 'False',
          },
        ],
      },
    });
    await io.confirm({ question: 'Execute this change set on exposed-keys?', consequence: 'changes the account' });
    return abortedDeploy;
  },
}));
vi.mock('../../../src/organization/deploy/run-org-deploy.js', () => ({
  runOrgDeploy: async ({ io }: RunOrgDeployDeps): Promise<OrgDeployReport> => {
    io.notify({ kind: 'org-plan', plan: organizationPlan });
    await io.confirm({ question: 'Execute this change set on exposed-keys?', consequence: 'changes the account' });
    return {
      outcome: 'aborted',
      plan: organizationPlan,
      hub: abortedDeploy,
      hubEventBusArn: null,
      operations: [],
      management: { status: 'not-covered', note: 'Nothing was deployed to the members.' },
    };
  },
}));
vi.mock('../../../src/deploy/run-destroy.js', () => ({
  runDestroy: async ({ io }: RunDestroyDeps) => {
    await io.confirm({ question: 'Delete the stack exposed-keys?', consequence: 'deletes the stack' });
    return { outcome: 'aborted', stackName: 'exposed-keys' };
  },
}));
vi.mock('../../../src/organization/deploy/run-org-destroy.js', () => ({
  // Declined at the hub's question, once the members' stacks and the StackSet were gone.
  runOrgDestroy: async ({ io }: { io: import('../../../src/common/io-host.js').IoHost<unknown> }) => {
    await io.confirm({ question: 'Delete the stack exposed-keys?', consequence: 'deletes the stack' });
    return {
      outcome: 'aborted',
      accounts: 3,
      operations: [],
      stackSetDeleted: orgDestroy.partWay,
      management: null,
      hub: null,
    };
  },
}));
vi.mock('../../../src/cli/run/schedule-target.js', () => ({ stackSchedules: () => async () => null }));
vi.mock('../../../src/cli/run/release.js', () => ({
  releaseFlow: async (
    _deps: unknown,
    _request: unknown,
    io: import('../../../src/common/io-host.js').IoHost<unknown>,
  ) => {
    io.notify({ kind: 'plan', plan: releasePlan, reactivate: false });
    await io.confirm({ question: 'Cancel the deletion?', consequence: 'cancels the deletion of a contained key' });
    return { aborted: true, plan: releasePlan };
  },
}));

const KEY = 'AKIAIOSFODNN7EXAMPLE';

const abortedDeploy: DeployReport = {
  outcome: 'aborted',
  stackName: 'exposed-keys',
  artifact: { bucket: 'b', key: 'k', versionId: undefined, upload: 'unchanged', signing: 'none', source: 'built' },
  status: 'REVIEW',
  state: undefined,
  stackId: 'arn:stack',
  changes: [],
  changeSetId: undefined,
  resources: [],
  outputs: {},
  events: [],
};

const organizationPlan: OrganizationPlan = {
  organizationId: 'o-exampleorgid',
  hubAccountId: '123456789012',
  managementAccountId: '123456789012',
  callAs: 'SELF',
  stackSetName: 'exposed-keys-members',
  stackSetAction: 'create',
  targets: ['r-abcd'],
  preferences: MEMBER_OPERATION_PREFERENCES,
  management: 'hub',
};

const releasePlan: ReleasePlan = {
  accessKeyId: KEY,
  userName: 'alice',
  status: 'Inactive',
  evidence: [`tag exposed-keys/contained/${KEY} on alice`],
  schedules: [],
  containedAt: '2026-11-20T03:00:00.000Z',
  warnings: [],
};

/** Runs the CLI at a terminal whose user answers no; what it wrote to each stream. */
async function declined(args: string[]) {
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const asked = vi.spyOn(Output.prototype, 'confirm').mockResolvedValue(false);
  const code = await main(['node', 'exposed-keys', ...args, '--region', 'us-east-1']);
  const text = (spy: typeof stdout) => spy.mock.calls.map(([chunk]) => String(chunk)).join('');
  return { code, asked: asked.mock.calls.length, stdout: text(stdout), stderr: text(stderr) };
}

const terminal = { stdin: process.stdin.isTTY, stderr: process.stderr.isTTY };

beforeEach(() => {
  Object.defineProperty(process.stdin, 'isTTY', { value: true, configurable: true });
  Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
});

afterEach(() => {
  vi.restoreAllMocks();
  Object.defineProperty(process.stdin, 'isTTY', { value: terminal.stdin, configurable: true });
  Object.defineProperty(process.stderr, 'isTTY', { value: terminal.stderr, configurable: true });
});

describe('a question answered no at a terminal', () => {
  it('deploy --json shows the change set on stderr first, then says nothing was changed, with no JSON document', async () => {
    const run = await declined(['deploy', '--json']);

    expect(run.code).toBe(ExitCode.ok);
    expect(run.asked).toBe(1);
    expect(run.stderr).toMatch(/Change set exposed-keys-1 \(UPDATE\)[\s\S]*ContainFunction/);
    expect(run.stderr).toMatch(/Nothing was changed/);
    expect(run.stdout).toBe('');
  });

  it('deploy --org says nothing was changed on stderr, with no JSON document with --json and nothing on stdout without', async () => {
    for (const json of [['--json'], []]) {
      const run = await declined(['deploy', '--org', ...json]);

      expect(run.code).toBe(ExitCode.ok);
      expect(run.stderr).toMatch(/Nothing was changed/);
      expect(run.stdout).toBe('');
      vi.restoreAllMocks();
    }
  });

  it('deploy --org --json shows the organisation plan on stderr first', async () => {
    const run = await declined(['deploy', '--org', '--json']);

    expect(run.stderr).toContain('exposed-keys-members');
  });

  it('destroy --json says nothing was changed on stderr, with no JSON document', async () => {
    const run = await declined(['destroy', '--json']);

    expect(run.code).toBe(ExitCode.ok);
    expect(run.asked).toBe(1);
    expect(run.stderr).toMatch(/Nothing was changed\./);
    expect(run.stdout).toBe('');
  });

  it('destroy --org declined at its first question says nothing was changed, with no JSON document', async () => {
    orgDestroy.partWay = false;
    const run = await declined(['destroy', '--org', '--json']);
    orgDestroy.partWay = true;

    expect(run.code).toBe(ExitCode.ok);
    expect(run.stderr).toMatch(/Nothing was changed\./);
    expect(run.stdout).toBe('');
  });

  it('destroy --org stopped part way says on stderr what stays deleted, and with --json reports it', async () => {
    const run = await declined(['destroy', '--org', '--json']);

    expect(run.code).toBe(ExitCode.ok);
    expect(run.stderr).toMatch(/Stopped at a question: what the report lists as deleted was deleted/);
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'aborted', accounts: 3, stackSetDeleted: true });
  });

  it('release --json shows the plan and its evidence on stderr first, then says nothing was changed', async () => {
    const run = await declined(['release', '--key', KEY, '--json']);

    expect(run.code).toBe(ExitCode.ok);
    expect(run.asked).toBe(1);
    expect(run.stderr).toContain(`tag exposed-keys/contained/${KEY} on alice`);
    expect(run.stderr).toMatch(/Nothing was changed\./);
    expect(run.stdout).toBe('');
  });
});
