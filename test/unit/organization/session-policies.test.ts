import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectPaths, projectRoot } from '../../../src/common/project-root.js';
import { type CloudFormationTemplate, loadTemplate } from '../../../src/deploy/template.js';
import { type HubFunction, SESSION_ACTIONS, sessionPolicy } from '../../../src/organization/session-policies.js';

/*
 * Each hub function acts in a member with only the calls its code sends there: what each session
 * allows is read from the code, and must be within what the member's responder role grants.
 */

/** The IAM action prefix of each SDK client package the steps import commands from. */
const PREFIXES: Record<string, string> = {
  iam: 'iam',
  cloudtrail: 'cloudtrail',
  ec2: 'ec2',
  lambda: 'lambda',
  securityhub: 'securityhub',
  organizations: 'organizations',
  dynamodb: 'dynamodb',
  scheduler: 'scheduler',
  sns: 'sns',
  'secrets-manager': 'secretsmanager',
};

/** The code each function runs in a member, and the services it calls there (the others are the hub's). */
const IN_MEMBER: Record<HubFunction, { paths: string[]; services: string[] }> = {
  containment: {
    paths: [
      'src/steps/contain.ts',
      'src/steps/containment',
      'src/steps/signals',
      'src/steps/lifecycle/scheduled-deletion.ts',
    ],
    services: ['iam', 'cloudtrail'],
  },
  investigation: {
    paths: ['src/steps/inventory', 'src/activity/lookup-events', 'src/aws/enabled-regions.ts'],
    services: ['iam', 'cloudtrail', 'ec2', 'lambda'],
  },
  notification: { paths: ['src/steps/channels/security-hub.ts'], services: ['securityhub'] },
};

function files(path: string): string[] {
  return statSync(path).isDirectory()
    ? readdirSync(path).flatMap((name) => files(join(path, name)))
    : path.endsWith('.ts')
      ? [path]
      : [];
}

/** Each `service:Action` the code under `paths` sends with a client of `services`. */
function actionsSent({ paths, services }: { paths: string[]; services: string[] }): string[] {
  const actions = new Set<string>();
  for (const file of paths.flatMap((path) => files(join(projectRoot(), path)))) {
    const text = readFileSync(file, 'utf8');
    for (const [, names, client] of text.matchAll(/import \{([^}]*)\} from '@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      const prefix = PREFIXES[client as string];
      expect(prefix, `${file} imports the ${client} client`).toBeDefined();
      if (!services.includes(prefix as string)) continue;
      for (const [, command] of (names as string).matchAll(/\b(\w+)Command\b/g))
        if (text.includes(`new ${command}Command(`)) actions.add(`${prefix}:${command}`);
    }
  }
  return [...actions].sort();
}

type Statement = { Effect?: string; Action?: string | string[] };

/** The actions the member's responder role allows. */
function responderActions(member: CloudFormationTemplate): Set<string> {
  const policies = (member.Resources.ResponderRole?.Properties?.Policies ?? []) as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  return new Set(
    policies
      .flatMap((policy) => policy.PolicyDocument.Statement)
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action ?? ''])),
  );
}

const FUNCTIONS: HubFunction[] = ['containment', 'investigation', 'notification'];
let member: CloudFormationTemplate;

beforeAll(async () => {
  member = await loadTemplate(projectPaths().memberTemplate);
});

describe('sessionPolicy', () => {
  it.each(FUNCTIONS)('lets the %s function send in a member exactly the calls its code sends there', (hubFunction) => {
    const policy = JSON.parse(sessionPolicy(hubFunction));

    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: expect.any(Array), Resource: '*' }],
    });
    expect([...policy.Statement[0].Action].sort()).toEqual(actionsSent(IN_MEMBER[hubFunction]));
  });

  it.each(FUNCTIONS)('asks for the %s function nothing the responder role does not grant', (hubFunction) => {
    const granted = responderActions(member);

    expect(SESSION_ACTIONS[hubFunction].filter((action) => !granted.has(action))).toEqual([]);
  });

  it('gives the investigation function reads only, none of containment’s writes', () => {
    const actions = SESSION_ACTIONS.investigation;

    expect(actions.filter((action) => !/^\w+:(Get|List|Describe|LookupEvents$)/.test(action))).toEqual([]);
    expect(
      actions.filter((action) => /^iam:(Delete|Update|Put|Attach|Detach|Tag|Untag|Create|Add|Remove|Set)/.test(action)),
    ).toEqual([]);
  });

  it('gives the notification function no IAM, and containment no Security Hub', () => {
    expect(SESSION_ACTIONS.notification.filter((action) => !action.startsWith('securityhub:'))).toEqual([]);
    expect(SESSION_ACTIONS.containment.filter((action) => action.startsWith('securityhub:'))).toEqual([]);
  });

  it.each(FUNCTIONS)('keeps the %s policy within the 2,048 characters STS takes', (hubFunction) => {
    expect(sessionPolicy(hubFunction).length).toBeLessThan(2048);
  });
});
