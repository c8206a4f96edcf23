#!/usr/bin/env node
import { readFileSync } from 'node:fs';

// The SDK warns on every run under Node 20 about versions it has not published yet; the lock file pins ours.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// `--version` and `--help` answer without loading the command tree: the build wrote the help text.
const [only, ...rest] = process.argv.slice(2);
const fastAnswer =
  rest.length > 0
    ? undefined
    : only === '--version' || only === '-V'
      ? 'version'
      : only === '--help' || only === '-h'
        ? 'help'
        : undefined;
let answered = false;
if (fastAnswer) {
  try {
    const text =
      fastAnswer === 'version'
        ? `${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`
        : readFileSync(new URL('../dist/cli/help.txt', import.meta.url), 'utf8');
    process.stdout.write(text);
    answered = true;
  } catch {
    // No prebuilt help: commander answers below.
  }
}
if (!answered) {
  const { main } = await import('../dist/cli/main.js');
  process.exitCode = await main(process.argv);
  // Interrupted, a command has said all it had to: calls it abandoned (a request that hangs) must not
  // hold the process. It ends once what it wrote has been flushed (a pipe may be asynchronous).
  if (process.exitCode === 130) process.stdout.write('', () => process.stderr.write('', () => process.exit(130)));
}
