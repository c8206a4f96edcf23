import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ArtifactUnavailableError } from './deploy-errors.js';

/** The manifest beside a prebuilt artifact: `artifact.json`. */
export const PREBUILT_MANIFEST = 'artifact.json';

/** A Lambda artifact as the package ships it: the zip and what its bytes must hash to. */
export interface PrebuiltArtifact {
  zipPath: string;
  fileName: string;
  /** SHA-256 of the zip, hex. */
  sha256: string;
  bytes: number;
}

interface Manifest {
  fileName: string;
  sha256: string;
  bytes: number;
}

function isManifest(value: unknown): value is Manifest {
  const manifest = value as Partial<Manifest> | null;
  return (
    typeof manifest?.fileName === 'string' &&
    basename(manifest.fileName) === manifest.fileName &&
    typeof manifest.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(manifest.sha256) &&
    typeof manifest.bytes === 'number'
  );
}

/**
 * Copies a built artifact into `folder` (the package's `dist/artifact/`), alone, with a manifest
 * naming its file and SHA-256: what `npm pack` ships and an installed `deploy` uses.
 */
export async function writePrebuiltArtifact(artifact: PrebuiltArtifact, folder: string): Promise<PrebuiltArtifact> {
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const zipPath = join(folder, artifact.fileName);
  await copyFile(artifact.zipPath, zipPath);
  const manifest: Manifest = { fileName: artifact.fileName, sha256: artifact.sha256, bytes: artifact.bytes };
  await writeFile(join(folder, PREBUILT_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return { ...manifest, zipPath };
}

/**
 * The artifact shipped in `folder`, checked against its manifest: a zip whose bytes do not hash to
 * what the build wrote is never deployed.
 *
 * @returns undefined when the folder holds no manifest (nothing was shipped).
 * @throws ArtifactUnavailableError when the manifest is unreadable, or the zip is missing or altered.
 */
export async function readPrebuiltArtifact(folder: string): Promise<PrebuiltArtifact | undefined> {
  let text: string;
  try {
    text = await readFile(join(folder, PREBUILT_MANIFEST), 'utf8');
  } catch {
    return undefined;
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    manifest = undefined;
  }
  if (!isManifest(manifest))
    throw new ArtifactUnavailableError(
      `The prebuilt artifact's manifest ${join(folder, PREBUILT_MANIFEST)} is invalid.`,
    );
  const zipPath = join(folder, manifest.fileName);
  let zip: Buffer;
  try {
    zip = await readFile(zipPath);
  } catch (error) {
    throw new ArtifactUnavailableError(`The prebuilt artifact ${zipPath} is missing.`, { cause: error });
  }
  const sha256 = createHash('sha256').update(zip).digest('hex');
  if (sha256 !== manifest.sha256 || zip.length !== manifest.bytes)
    throw new ArtifactUnavailableError(
      `The prebuilt artifact ${zipPath} does not match its manifest (SHA-256 ${sha256}, expected ${manifest.sha256}): it was altered after the build.`,
    );
  return { zipPath, fileName: manifest.fileName, sha256, bytes: zip.length };
}
