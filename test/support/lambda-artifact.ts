import { pathToFileURL } from 'node:url';
import { ensureArtifact } from '../../src/deploy/package-artifact.js';
import type { LocalHandlers } from '../../src/state-machine/run-local.js';

let loads = 0;

/**
 * The three handlers of the built Lambda artifact, each imported afresh with `env` in place, as a
 * cold start with that configuration would. The environment stays set: the handlers read some of
 * it at import, and the SDK reads endpoints at the first call.
 */
export async function artifactHandlers(env: Record<string, string>): Promise<LocalHandlers> {
  const artifact = await ensureArtifact();
  if (!artifact.lambdaDir) throw new Error('the artifact has no unzipped handlers');
  Object.assign(process.env, env);
  loads += 1;
  const load = async (name: string) => {
    const url = `${pathToFileURL(`${artifact.lambdaDir}/${name}.mjs`).href}?load=${loads}`;
    return ((await import(url)) as { handler: (state: unknown) => Promise<unknown> }).handler;
  };
  return { contain: await load('contain'), investigate: await load('investigate'), notify: await load('notify') };
}
