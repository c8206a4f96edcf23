import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectPaths } from '../../src/common/project-root.js';

interface Finding {
  Rule: { Id: string };
  Level: string;
  Message: string;
}

/** cfn-lint's findings on a template, as JSON. */
function lint(path: string): { status: number | null; findings: Finding[]; stderr: string } {
  const run = spawnSync('cfn-lint', ['--format', 'json', '--', path], { encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw run.error;
  return { status: run.status, findings: JSON.parse(run.stdout || '[]') as Finding[], stderr: run.stderr };
}

const installed = !spawnSync('cfn-lint', ['--version']).error;
// On a developer's machine without cfn-lint the lint is skipped; in CI its absence is a failure.
const runLint = installed || process.env.CI === 'true';

let scratch: string | undefined;

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe.runIf(runLint)('cfn-lint', () => {
  it('finds no error and no warning in the template', () => {
    const { status, findings, stderr } = lint(projectPaths().template);

    expect(findings).toEqual([]);
    expect(status, stderr).toBe(0);
  });

  it('finds no error and no warning in the member template', () => {
    const { status, findings, stderr } = lint(projectPaths().memberTemplate);

    expect(findings).toEqual([]);
    expect(status, stderr).toBe(0);
  });

  it('would flag the deprecated nodejs20.x runtime', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'exposed-keys-cfn-'));
    const path = join(scratch, 'old-runtime.yaml');
    const text = await readFile(projectPaths().template, 'utf8');
    expect(text).toMatch(/Runtime: nodejs2[2-9]\.x/);
    await writeFile(path, text.replace(/Runtime: nodejs\d+\.x/g, 'Runtime: nodejs20.x'));

    const { status, findings } = lint(path);

    expect(status).not.toBe(0);
    expect(findings.some((finding) => finding.Message.includes('nodejs20.x'))).toBe(true);
  });
});
