import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The AWS CLI v2 of the Debian package `awscli` (another `aws` on PATH may be a v1). */
export const AWS_CLI_V2 = '/usr/bin/aws';

/** The AWS CLI v2, ready to run, or why it is not. */
export type AwsCliV2 = { path: string; version: string } | { problem: string };

function versionOf(path: string): string {
  const answer = spawnSync(path, ['--version'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  return `${answer.stdout ?? ''}${answer.stderr ?? ''}`.trim();
}

/**
 * Finds /usr/bin/aws and checks that it is a v2. When it is missing and this process runs as root,
 * installs the Debian package `awscli` first (saying so on stderr).
 */
export function awsCliV2(): AwsCliV2 {
  if (!existsSync(AWS_CLI_V2)) {
    if (process.getuid?.() !== 0)
      return { problem: `${AWS_CLI_V2} is missing and installing it needs root (apt-get install awscli)` };
    console.error(`   ${AWS_CLI_V2} is missing: installing the Debian package awscli (apt-get install -y awscli)…`);
    const install = spawnSync('apt-get', ['install', '-y', 'awscli'], {
      // apt-get's own output goes to stderr: stdout carries the results table.
      stdio: ['ignore', 2, 2],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (install.status !== 0 || !existsSync(AWS_CLI_V2))
      return { problem: `apt-get install -y awscli failed (exit ${install.status ?? install.signal})` };
  }
  const version = versionOf(AWS_CLI_V2);
  if (!/^aws-cli\/2\./.test(version))
    return { problem: `${AWS_CLI_V2} is not the AWS CLI v2 (it says: ${version.slice(0, 120) || 'nothing'})` };
  return { path: AWS_CLI_V2, version: version.split(' ')[0] ?? version };
}
