import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import { activeCharacters } from '../support/well-formed.js';

/*
 * CloudTrail data is written by whoever holds a key: an attacker chooses user agents, resource
 * names, even event names sent to some services. Here it carries terminal escape sequences (a CSI
 * that clears the screen, an OSC 52 that writes the clipboard, a C1 CSI), carriage returns, bidi
 * overrides and a lone surrogate, in the records and in a log file's name. `investigate` must show
 * them visibly and inertly, and `--json` must keep them exact.
 */

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const HOSTILE = {
  clear: '\u001b[2J\u001b[H',
  clipboard: '\u001b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\u0007',
  c1: '\u009b31m',
  carriage: 'innocent\rEVIL',
  bidi: 'user\u202etxt.exe',
  lone: 'half\ud83d',
  hidden: 'safe\u00ad\u{E0069}\u{E0067}\u{E006E}',
};
let root: string;

function record(id: number, overrides: Record<string, unknown>) {
  return {
    eventVersion: '1.08',
    eventID: `event-${id}`,
    eventTime: '2026-11-26T10:00:00Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'GetUser',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2',
    userIdentity: { type: 'IAMUser', userName: 'alice', accessKeyId: KEY },
    ...overrides,
  };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'exposed-keys-hostile-'));
  const folder = join(root, `AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/26`);
  await mkdir(folder, { recursive: true });
  const records = [
    record(1, { userAgent: `Mozilla${HOSTILE.clear}${HOSTILE.clipboard}` }),
    record(2, { eventName: `CreateUser${HOSTILE.c1}`, sourceIPAddress: HOSTILE.carriage }),
    record(3, { requestParameters: { userName: HOSTILE.bidi }, eventName: 'CreateUser' }),
    record(4, { errorCode: HOSTILE.lone, userAgent: `${'A'.repeat(300)}${HOSTILE.clear}tail` }),
    record(5, { eventName: `ListUsers${HOSTILE.hidden}` }),
  ];
  await writeFile(
    join(folder, '123456789012_CloudTrail_us-east-1_20261126T1000Z_a.json'),
    JSON.stringify({ Records: records }),
  );
  // A file of the right name holding no valid JSON, whose path carries an escape sequence: reported as unreadable.
  await writeFile(
    join(folder, `123456789012_CloudTrail_us-east-1_20261126T1000Z_${HOSTILE.clear}b.json`),
    '{"Records":[',
  );
});
afterAll(() => rm(root, { recursive: true, force: true }));

const window = ['--start', '2026-11-26T00:00:00Z', '--end', '2026-11-27T00:00:00Z'];

describe('investigate, given CloudTrail data that carries terminal escapes', () => {
  it('shows every hostile value visibly, and lets none act on the terminal', async () => {
    const run = await runCli(['investigate', '--key', KEY, '--logs', root, ...window, '--no-follow-sessions'], {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
    });

    // The unreadable file: the search is not complete.
    expect(run.code, run.stderr).toBe(3);
    expect(activeCharacters(run.stdout)).toEqual([]);
    expect(activeCharacters(run.stderr)).toEqual([]);
    expect(run.stdout).toContain('\\x1B[2J');
    expect(run.stdout).toContain('\\x1B]52;c;');
    expect(run.stdout).toContain('\\u202E');
    expect(run.stdout).toContain('\\xAD\\u{E0069}');
    expect(run.stderr).toMatch(/1 unreadable/);
  });

  it('keeps the values exact in --json, where they are data', async () => {
    const run = await runCli(['investigate', '--key', KEY, '--logs', root, ...window, '--json'], {
      PATH: process.env.PATH ?? '',
    });

    expect(run.code, run.stderr).toBe(3);
    const summary = JSON.parse(run.stdout);
    expect(summary.filesNotRead.files[0].path).toContain(`${HOSTILE.clear}b.json`);
    expect(summary.userAgents.map((entry: { name: string }) => entry.name)).toContain(
      `Mozilla${HOSTILE.clear}${HOSTILE.clipboard}`,
    );
    expect(summary.sourceIps.map((entry: { name: string }) => entry.name)).toContain(HOSTILE.carriage);
    expect(activeCharacters(run.stderr)).toEqual([]);
  });
});
