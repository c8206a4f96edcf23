import { join, relative, sep } from 'node:path';
import { BundleError } from './deploy-errors.js';

/** The Lambda handlers of the stack: each `src/lambda/<name>.ts` becomes `<name>.mjs`, handler `<name>.handler`. */
export const HANDLERS = ['contain', 'investigate', 'notify', 'undelivered'] as const;

/** One of {@link HANDLERS}. */
export type HandlerName = (typeof HANDLERS)[number];

/** The bundled handlers and what went into them. */
export interface Bundle {
  /** `<name>.mjs`, and `chunks/<name>-<hash>.mjs` for shared or lazily loaded code → its bytes. */
  files: Map<string, Uint8Array>;
  /** Every source file bundled, relative to the project root (node_modules included), sorted. */
  inputs: string[];
}

// Some bundled CommonJS (the SDK's optional CRT signer lookup) calls `require`, which an ES module
// lacks; `createRequire` gives it Node's own, so that the lookup fails as the code expects.
const REQUIRE_BANNER =
  "import{createRequire as __exposedKeysCreateRequire}from'node:module';const require=__exposedKeysCreateRequire(import.meta.url);";

/**
 * Bundles the handlers with esbuild into ES modules for Node.
 *
 * The AWS SDK is bundled rather than taken from the Lambda runtime: the bundle pins the SDK version
 * the code was tested with (the runtime's copy changes under it without notice), tree-shaking keeps
 * only the few commands each handler sends, and one file loads faster at cold start than the
 * runtime's copy resolved module by module from node_modules.
 *
 * The output holds no path of the building machine (no source map, no legal or path comments,
 * minified), so that the same sources give the same bytes anywhere. The names of classes and
 * functions are kept: an error's `name` comes from its class, and the state machine retries and
 * catches errors by name.
 */
export async function bundleHandlers(root: string): Promise<Bundle> {
  // Loaded here, not at the top: `status` and `destroy` import this library and never bundle.
  const esbuild = await import('esbuild');
  // Any change to these options changes the bytes: bump RECIPE in package-artifact.ts with it.
  let result: Awaited<ReturnType<typeof esbuild.build<{ metafile: true; write: false }>>>;
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(HANDLERS.map((name) => [name, join('src', 'lambda', `${name}.ts`)])),
      outdir: 'out',
      outExtension: { '.js': '.mjs' },
      // Code loaded on demand (the EC2 client, only when the regions must be listed) goes to a chunk
      // of its own, so that a cold start does not even parse it.
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      mainFields: ['module', 'main'],
      minify: true,
      keepNames: true,
      treeShaking: true,
      // Lazily loaded modules keep their path as a key in the bundle: resolving node_modules through a
      // symbolic link would put the link's target, a path of this machine, in the bytes.
      preserveSymlinks: true,
      // The bytes must not depend on which tsconfig.json sits beside the sources (ES modules are strict anyway).
      tsconfigRaw: {},
      legalComments: 'none',
      sourcemap: false,
      charset: 'utf8',
      banner: { js: REQUIRE_BANNER },
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] })
      .errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw new BundleError(`Cannot bundle the Lambda handlers: ${first?.text ?? String(error)}${where}`, {
      cause: error,
    });
  }
  const files = new Map<string, Uint8Array>();
  const outdir = join(root, 'out');
  for (const output of result.outputFiles)
    files.set(relative(outdir, output.path).split(sep).join('/'), output.contents);
  return { files, inputs: Object.keys(result.metafile.inputs).sort() };
}
