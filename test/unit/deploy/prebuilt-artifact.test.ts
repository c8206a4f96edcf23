import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactUnavailableError } from '../../../src/deploy/deploy-errors.js';
import {
  PREBUILT_MANIFEST,
  readPrebuiltArtifact,
  writePrebuiltArtifact,
} from '../../../src/deploy/prebuilt-artifact.js';

const ZIP = Buffer.from('PK the handlers');
const SHA256 = createHash('sha256').update(ZIP).digest('hex');
const FILE_NAME = `exposed-keys-lambda-${SHA256.slice(0, 16)}.zip`;
let scratch: string;
let built: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'exposed-keys-prebuilt-'));
  built = join(scratch, FILE_NAME);
  await writeFile(built, ZIP);
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function shipped(name: string): Promise<string> {
  const folder = join(scratch, name, 'dist', 'artifact');
  await writePrebuiltArtifact({ zipPath: built, fileName: FILE_NAME, sha256: SHA256, bytes: ZIP.length }, folder);
  return folder;
}

describe('writePrebuiltArtifact and readPrebuiltArtifact', () => {
  it('ship the zip with a manifest of its hash, and read it back', async () => {
    const folder = await shipped('intact');

    const artifact = await readPrebuiltArtifact(folder);

    expect(artifact).toEqual({ zipPath: join(folder, FILE_NAME), fileName: FILE_NAME, sha256: SHA256, bytes: 15 });
    expect(JSON.parse(await readFile(join(folder, PREBUILT_MANIFEST), 'utf8'))).toEqual({
      fileName: FILE_NAME,
      sha256: SHA256,
      bytes: 15,
    });
  });

  it('find nothing shipped in a folder without a manifest', async () => {
    expect(await readPrebuiltArtifact(join(scratch, 'nothing'))).toBeUndefined();
  });

  it('refuse a zip altered after the build, naming both hashes', async () => {
    const folder = await shipped('altered');
    await writeFile(join(folder, FILE_NAME), Buffer.from('PK the handlers!'));

    const read = readPrebuiltArtifact(folder);

    await expect(read).rejects.toBeInstanceOf(ArtifactUnavailableError);
    await expect(read).rejects.toThrow(new RegExp(`does not match its manifest .*expected ${SHA256}`));
  });

  it('refuse a manifest that names a file outside its folder', async () => {
    const folder = await shipped('escaping');
    await writeFile(
      join(folder, PREBUILT_MANIFEST),
      JSON.stringify({ fileName: '../../elsewhere.zip', sha256: SHA256, bytes: 15 }),
    );

    await expect(readPrebuiltArtifact(folder)).rejects.toThrow(/manifest .* is invalid/);
  });

  it('refuse a manifest whose zip is missing', async () => {
    const folder = await shipped('missing');
    await rm(join(folder, FILE_NAME));

    await expect(readPrebuiltArtifact(folder)).rejects.toThrow(/is missing/);
  });
});
