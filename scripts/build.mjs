// Builds what the package ships into dist/ with esbuild: the CLI (one small entry module that loads
// each command's code, and the SDK, only when that command runs), the log-file worker, the Lambda
// artifact with its manifest, and the licences of everything bundled. The demonstration, a
// development tool, is built apart into .demo/, which the package does not ship. The type check is
// tsc's job (`npm run typecheck`); this only bundles. `npm pack` runs it (prepack).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { writeThirdPartyLicenses } from './third-party-licenses.mjs';

rmSync('dist', { recursive: true, force: true });
rmSync('.demo', { recursive: true, force: true });

// aws-local-stepfunctions (simulate --local) is bundled, not installed: it declares Node 22, which
// would warn on every install under Node 20, where it runs with the Promise.withResolvers polyfill.
// Its Lambda client is never used (every task runs in this process) and stays out of the bundle;
// only its own imports are replaced, for the inventory reads Lambda functions with the real client.
const withoutLambdaClient = {
  name: 'local-runner-without-lambda-client',
  setup(builder) {
    const stub = fileURLToPath(new URL('./no-lambda-client.mjs', import.meta.url));
    builder.onResolve({ filter: /^@aws-sdk\/(client-lambda|credential-providers)$/ }, (args) =>
      args.importer.includes('aws-local-stepfunctions') ? { path: stub } : undefined,
    );
  },
};

const common = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The ES module builds of the SDK, which esbuild can tree-shake.
  mainFields: ['module', 'main'],
  minify: true,
  // Error names must survive: Step Functions and the CLI match on them.
  keepNames: true,
  // Everything the CLI runs is bundled, the AWS SDK included (tree-shaken to the commands it sends,
  // each client in the chunk of the commands that use it), so that the package has no dependencies
  // to install. esbuild, a native binary, bundles the Lambda handlers only from a clone's sources.
  external: ['esbuild'],
  plugins: [withoutLambdaClient],
  // Bundled CommonJS (commander) calls require(); ES modules have none of their own.
  banner: { js: "import{createRequire as __require}from'node:module';const require=__require(import.meta.url);" },
  logLevel: 'warning',
};
const cli = await build({
  ...common,
  // The log-file worker thread runs a module of its own (src/common/project-root.ts names its path).
  entryPoints: ['src/cli/main.ts', 'src/activity/log-files/workers/worker-entry.ts'],
  outbase: 'src',
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
});
await build({ ...common, entryPoints: ['demo/run-demo.ts'], outdir: '.demo', splitting: false });

// The Lambda artifact, built (or reused) from the sources by the deploy library itself, then shipped
// in dist/artifact/ with its SHA-256, for an installed package, which has no sources, to deploy.
await build({
  entryPoints: ['scripts/package-artifact-entry.ts'],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['esbuild'],
  outfile: '.artifacts/tools/package-artifact.mjs',
  logLevel: 'warning',
});
const packaging = await import(pathToFileURL('.artifacts/tools/package-artifact.mjs').href);
const artifact = await packaging.ensureArtifact();
await packaging.writePrebuiltArtifact(artifact, 'dist/artifact');
const { inputs: artifactInputs } = JSON.parse(readFileSync('.artifacts/manifest.json', 'utf8'));

// The log-file reader's WebAssembly module (scripts/build-wasm.mjs) carries AssemblyScript's own
// memory routines, compiled in.
const compiledIn = ['node_modules/assemblyscript/std/assembly/util/memory.ts'];
writeThirdPartyLicenses(
  '.',
  [...Object.keys(cli.metafile.inputs), ...artifactInputs, ...compiledIn],
  'dist/THIRD-PARTY-LICENSES.txt',
);

// The top-level help, as commander prints it, for bin/exposed-keys.js to answer `--help` at once.
const help = execFileSync(process.execPath, ['bin/exposed-keys.js', '--help'], {
  env: { ...process.env, COLUMNS: '80' },
});
writeFileSync('dist/cli/help.txt', help);
