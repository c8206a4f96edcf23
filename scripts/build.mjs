// Builds the CLI into dist/ with esbuild: one small entry module that loads each command's code, and
// the SDK, only when that command runs. The demonstration, a development tool, is built apart into
// .demo/, which the package does not ship. The type check is tsc's job (`npm run typecheck`); this
// only bundles.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
rmSync('.demo', { recursive: true, force: true });
const common = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  // Error names must survive: Step Functions and the CLI match on them.
  keepNames: true,
  // The SDK and the local Step Functions runner load lazily from node_modules; bundling them
  // would only slow the build. esbuild ships a native binary.
  external: [
    'esbuild',
    '@aws-sdk/*',
    '@smithy/*',
    '@aws-crypto/*',
    '@aws-lambda-powertools/*',
    'aws-local-stepfunctions',
  ],
  // Bundled CommonJS (commander) calls require(); ES modules have none of their own.
  banner: { js: "import{createRequire as __require}from'node:module';const require=__require(import.meta.url);" },
  logLevel: 'warning',
};
await build({
  ...common,
  // The log-file worker thread runs a module of its own (src/common/project-root.ts names its path).
  entryPoints: ['src/cli/main.ts', 'src/activity/log-files/workers/worker-entry.ts'],
  outbase: 'src',
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
});
await build({ ...common, entryPoints: ['demo/run-demo.ts'], outdir: '.demo', splitting: false });

// The top-level help, as commander prints it, for bin/exposed-keys.js to answer `--help` at once.
const help = execFileSync(process.execPath, ['bin/exposed-keys.js', '--help'], {
  env: { ...process.env, COLUMNS: '80' },
});
writeFileSync('dist/cli/help.txt', help);
