// Builds the CLI (and the demonstration) into dist/ with esbuild: one small entry module that
// loads each command's code, and the SDK, only when that command runs. The type check is tsc's job
// (`npm run typecheck`); this only bundles.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
await build({
  // The log-file worker thread runs a module of its own: dist/activity/log-file-worker.js.
  entryPoints: ['src/cli/main.ts', 'src/demo/run-demo.ts', 'src/activity/log-file-worker.ts'],
  outbase: 'src',
  outdir: 'dist',
  // Every module stays two folders below the project root, as in src/, so paths relative to
  // import.meta.url (package.json, the template, the data set) resolve the same.
  chunkNames: 'chunks/[name]-[hash]',
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
});

// The top-level help, as commander prints it, for bin/exposed-keys.js to answer `--help` at once.
const help = execFileSync(process.execPath, ['bin/exposed-keys.js', '--help'], {
  env: { ...process.env, COLUMNS: '80' },
});
writeFileSync('dist/cli/help.txt', help);
