import { pathToFileURL } from 'node:url';
import type { HandlerName } from '../../src/deploy/bundle-handlers.js';
import { ensureArtifact } from '../../src/deploy/package-artifact.js';
import type { LocalHandlers } from '../../src/state-machine/run-local.js';

let loads = 0;

/**
 * A handler of the built Lambda artifact (`<name>.mjs`), imported afresh with `env` in place, as a
 * cold start with that configuration would. The environment stays set: the handlers read some of
 * it at import, and the SDK reads endpoints at the first call.
 */
export async function artifactHandler<Input = unknown>(
  name: HandlerName,
  env: Record<string, string>,
): Promise<(input: Input) => Promise<unknown>> {
  const artifact = await ensureArtifact();
  if (!artifact.lambdaDir) throw new Error('the artifact has no unzipped handlers');
  Object.assign(process.env, env);
  loads += 1;
  const url = `${pathToFileURL(`${artifact.lambdaDir}/${name}.mjs`).href}?load=${loads}`;
  return ((await import(url)) as { handler: (input: Input) => Promise<unknown> }).handler;
}

/** The three handlers of the state machine from the built artifact, as {@link artifactHandler} loads each. */
export async function artifactHandlers(env: Record<string, string>): Promise<LocalHandlers> {
  return {
    contain: await artifactHandler('contain', env),
    investigate: await artifactHandler('investigate', env),
    notify: await artifactHandler('notify', env),
  };
}
