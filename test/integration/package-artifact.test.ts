import { appendFile, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/common/project-root.js';
import { HANDLERS } from '../../src/deploy/bundle-handlers.js';
import { ArtifactUnavailableError } from '../../src/deploy/deploy-errors.js';
import { type Artifact, buildArtifact, ensureArtifact } from '../../src/deploy/package-artifact.js';
import { writePrebuiltArtifact } from '../../src/deploy/prebuilt-artifact.js';

let scratch: string;
let first: Artifact;
let second: Artifact;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'exposed-keys-artifact-'));
  first = await buildArtifact({ outDir: join(scratch, 'one') });
  second = await buildArtifact({ outDir: join(scratch, 'two') });
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('buildArtifact', () => {
  it('gives the same bytes and hash when built twice from the same sources', async () => {
    const [one, two] = await Promise.all([readFile(first.zipPath), readFile(second.zipPath)]);

    expect(second.sha256).toBe(first.sha256);
    expect(Buffer.compare(one, two)).toBe(0);
    expect(first.fileName).toBe(`exposed-keys-lambda-${first.sha256.slice(0, 16)}.zip`);
  });

  it('zips the handlers at the root, and only chunks of code beside them', async () => {
    const names = Object.keys(unzipSync(await readFile(first.zipPath)));

    expect(names.filter((name) => !name.startsWith('chunks/')).sort()).toEqual([
      'contain.mjs',
      'investigate.mjs',
      'notify.mjs',
      'undelivered.mjs',
    ]);
    expect(names.filter((name) => name.startsWith('chunks/')).every((name) => /^chunks\/[\w-]+\.mjs$/.test(name))).toBe(
      true,
    );
  });

  /** The text of every module a handler loads at a cold start: static imports, followed through the chunks. */
  async function loadedAtColdStart(handler: string): Promise<string> {
    const entries = unzipSync(await readFile(first.zipPath));
    const text = (name: string) => Buffer.from(entries[name] as Uint8Array).toString('utf8');
    const loaded = new Set<string>();
    const pending = [handler];
    while (pending.length > 0) {
      const name = pending.pop() as string;
      if (loaded.has(name)) continue;
      loaded.add(name);
      for (const match of text(name).matchAll(/(?:from|import)"\.\/(?:\.\.\/)?(?:chunks\/)?([\w-]+\.mjs)"/g))
        pending.push(`chunks/${match[1]}`);
    }
    expect(loaded.size).toBeGreaterThan(1);
    return [...loaded].map(text).join('');
  }

  it('keeps the EC2 client out of what the investigation loads at a cold start', async () => {
    const entries = unzipSync(await readFile(first.zipPath));

    expect(await loadedAtColdStart('investigate.mjs')).not.toContain('DescribeRegionsCommand');
    expect(Buffer.from(entries['investigate.mjs'] as Uint8Array).toString('utf8')).toMatch(
      /import\("\.\/chunks\/enabled-regions-[\w-]+\.mjs"\)/,
    );
  });

  it("loads at a cold start only its own task's code, and no translation of zod's messages", async () => {
    // Each marker is a command (or text) only one task, or no function, needs.
    const markers = {
      securityHub: 'BatchImportFindingsCommand',
      secretsManager: 'GetSecretValueCommand',
      containment: 'DeleteAccessKeyCommand',
      lookupEvents: 'LookupEventsCommand',
      zodLocales: 'Ungültige Eingabe',
    };
    const present = async (handler: string) => {
      const loaded = await loadedAtColdStart(handler);
      return Object.entries(markers)
        .filter(([, marker]) => loaded.includes(marker))
        .map(([name]) => name);
    };

    // Containment reads CloudTrail for a deletion that shows a key gone was contained.
    expect(await present('contain.mjs')).toEqual(['containment', 'lookupEvents']);
    expect(await present('investigate.mjs')).toEqual(['lookupEvents']);
    expect(await present('notify.mjs')).toEqual(['securityHub', 'secretsManager']);
    expect(await present('undelivered.mjs')).toEqual([]);
  });

  it('writes bundles that hold no path of the building machine', async () => {
    const root = projectRoot();
    const entries = unzipSync(await readFile(first.zipPath));

    for (const [name, bytes] of Object.entries(entries)) {
      const text = Buffer.from(bytes).toString('utf8');
      expect(text.includes(root), `${name} holds ${root}`).toBe(false);
      expect(text.includes(tmpdir()), `${name} holds ${tmpdir()}`).toBe(false);
      expect(/\/(home|root|Users|work)\/[\w.-]+\//.test(text), `${name} holds a home path`).toBe(false);
    }
  });

  it('keeps class names, which the errors take their name from', async () => {
    const entries = unzipSync(await readFile(first.zipPath));
    const bundle = Object.values(entries)
      .map((bytes) => Buffer.from(bytes).toString('utf8'))
      .join('');

    expect(bundle).toContain('"NotificationError"');
  });
});

/** A copy of the project's sources and package.json at another path, sharing node_modules. */
async function copyOfProject(name: string): Promise<string> {
  const root = projectRoot();
  const copy = join(scratch, name);
  await mkdir(copy, { recursive: true });
  await cp(join(root, 'src'), join(copy, 'src'), { recursive: true });
  await cp(join(root, 'package.json'), join(copy, 'package.json'));
  await symlink(join(root, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

describe('buildArtifact from a project at another path', () => {
  it('gives the same bytes', async () => {
    const copy = await copyOfProject('elsewhere');

    const artifact = await buildArtifact({ root: copy });

    expect(artifact.zipPath.startsWith(join(copy, '.artifacts'))).toBe(true);
    expect(artifact.sha256).toBe(first.sha256);
  });
});

describe('ensureArtifact', () => {
  it('reuses the last build when no source has changed', async () => {
    const again = await ensureArtifact({ outDir: join(scratch, 'one') });

    expect(again).toMatchObject({ source: 'cached', sha256: first.sha256, zipPath: first.zipPath });
  });

  it('builds again when a source the handlers import has changed', async () => {
    const copy = await copyOfProject('changing');
    await ensureArtifact({ root: copy });
    const unchanged = await ensureArtifact({ root: copy });

    await appendFile(join(copy, 'src', 'steps', 'notify.ts'), '\n// changed\n');
    const changed = await ensureArtifact({ root: copy });

    expect(unchanged.source).toBe('cached');
    expect(changed.source).toBe('built');
  });

  it('uses the prebuilt artifact of an installed package, which has no sources', async () => {
    const installed = join(scratch, 'installed');
    await mkdir(installed, { recursive: true });
    await writeFile(join(installed, 'package.json'), JSON.stringify({ name: 'exposed-keys' }));
    await writePrebuiltArtifact(first, join(installed, 'dist', 'artifact'));

    const artifact = await ensureArtifact({ root: installed });

    expect(artifact).toMatchObject({ source: 'prebuilt', sha256: first.sha256, lambdaDir: undefined });
  });

  it('refuses a prebuilt artifact altered after the build', async () => {
    const installed = join(scratch, 'tampered');
    await mkdir(installed, { recursive: true });
    await writeFile(join(installed, 'package.json'), JSON.stringify({ name: 'exposed-keys' }));
    const shipped = await writePrebuiltArtifact(first, join(installed, 'dist', 'artifact'));
    await appendFile(shipped.zipPath, 'more code');

    await expect(ensureArtifact({ root: installed })).rejects.toBeInstanceOf(ArtifactUnavailableError);
  });

  it('throws ArtifactUnavailableError when there are neither sources nor a prebuilt artifact', async () => {
    const empty = join(scratch, 'empty');
    await mkdir(empty, { recursive: true });
    await writeFile(join(empty, 'package.json'), JSON.stringify({ name: 'exposed-keys' }));

    await expect(ensureArtifact({ root: empty })).rejects.toBeInstanceOf(ArtifactUnavailableError);
  });

  it('builds into .artifacts of the project root by default', async () => {
    const artifact = await ensureArtifact();

    expect(artifact.zipPath).toBe(join(projectRoot(), '.artifacts', artifact.fileName));
    expect(artifact.sha256).toBe(first.sha256);
  });
});

describe('the built handlers', () => {
  beforeAll(() => {
    process.env.TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:exposed-keys';
    // The dead-letter queue's function reads its state machine and queue at cold start.
    process.env.STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-keys';
    process.env.QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/exposed-keys-UndeliveredQueue-1';
    process.env.QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:exposed-keys-UndeliveredQueue-1';
  });

  it.each(HANDLERS)('%s.mjs can be imported and exports a handler', async (name) => {
    const artifact = await ensureArtifact();

    const module = (await import(pathToFileURL(join(artifact.lambdaDir!, `${name}.mjs`)).href)) as Record<
      string,
      unknown
    >;

    expect(typeof module.handler).toBe('function');
  });
});
