import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../../src/common/project-root.js';
import { type CloudFormationTemplate, loadTemplate } from '../../../src/deploy/template.js';

/*
 * The inventory of what the attacker left runs in the stack's investigation function, and in a
 * member through its responder role: every AWS call its code sends must be granted to both, or
 * the item it checks would only ever say "not checked: AccessDenied".
 */

const FOLDER = new URL('../../../src/steps/inventory/', import.meta.url);

/** The IAM action prefix of each SDK client package the inventory imports commands from. */
const PREFIXES: Record<string, string> = { iam: 'iam', ec2: 'ec2', lambda: 'lambda', organizations: 'organizations' };

/**
 * Organizations is the hub's, and read only when it answers (the CLI with a person's credentials):
 * without it, trust is judged against the account alone, so the stack grants it no read.
 */
const NOT_GRANTED = new Set(['organizations:ListAccounts']);

/** Each `service:Action` the inventory's code sends, from the commands it imports and builds. */
function actionsSent(): string[] {
  const actions = new Set<string>();
  for (const file of readdirSync(FOLDER).filter((name) => name.endsWith('.ts'))) {
    const text = readFileSync(new URL(file, FOLDER), 'utf8');
    for (const [, names, client] of text.matchAll(/import \{([^}]*)\} from '@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      const prefix = PREFIXES[client as string];
      expect(prefix, `${file} imports the ${client} client`).toBeDefined();
      for (const [, command] of (names as string).matchAll(/\b(\w+)Command\b/g))
        if (text.includes(`new ${command}Command(`)) actions.add(`${prefix}:${command}`);
    }
  }
  return [...actions].sort();
}

type Statement = { Effect?: string; Action?: string | string[] };

/** The actions a role's inline policies allow, a statement under a template condition counted as allowed. */
function allowed(template: CloudFormationTemplate, role: string): Set<string> {
  const policies = (template.Resources[role]?.Properties?.Policies ?? []) as {
    PolicyDocument: { Statement: (Statement | { 'Fn::If': [string, Statement, unknown] })[] };
  }[];
  const statements = policies
    .flatMap((policy) => policy.PolicyDocument.Statement)
    .map((entry) => ('Fn::If' in entry ? entry['Fn::If'][1] : entry));
  return new Set(
    statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action ?? ''])),
  );
}

let hub: CloudFormationTemplate;
let member: CloudFormationTemplate;

beforeAll(async () => {
  hub = await loadTemplate();
  member = await loadTemplate(projectPaths().memberTemplate);
});

describe('the permissions of the inventory', () => {
  it('finds the calls the inventory sends, each a read', () => {
    const sent = actionsSent();

    expect(sent).toEqual(
      expect.arrayContaining([
        'iam:ListSSHPublicKeys',
        'iam:ListServiceSpecificCredentials',
        'iam:ListGroupsForUser',
        'iam:GetPolicyVersion',
        'iam:ListVirtualMFADevices',
        'iam:GetOpenIDConnectProvider',
        'ec2:DescribeSpotFleetRequests',
        'ec2:DescribeFleets',
        'lambda:GetFunctionConcurrency',
      ]),
    );
    expect(sent.filter((action) => !/^\w+:(Get|List|Describe)/.test(action))).toEqual([]);
  });

  it('grants each call to the stack’s investigation function and to a member’s responder role', () => {
    const needed = actionsSent().filter((action) => !NOT_GRANTED.has(action));
    const investigation = allowed(hub, 'InvestigateRole');
    const responder = allowed(member, 'ResponderRole');

    expect(needed.filter((action) => !investigation.has(action))).toEqual([]);
    expect(needed.filter((action) => !responder.has(action))).toEqual([]);
  });

  it('reads no function’s code or environment variables, where secrets often are', () => {
    const reveal = [
      'lambda:GetFunction',
      'lambda:GetFunctionConfiguration',
      'lambda:ListFunctions',
      'lambda:ListVersionsByFunction',
    ];

    expect(actionsSent().filter((action) => reveal.includes(action))).toEqual([]);
    expect([...allowed(hub, 'InvestigateRole')].filter((action) => reveal.includes(action))).toEqual([]);
    expect([...allowed(member, 'ResponderRole')].filter((action) => reveal.includes(action))).toEqual([]);
  });
});
