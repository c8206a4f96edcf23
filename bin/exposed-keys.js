#!/usr/bin/env node
// The SDK warns on every run under Node 20 about versions it has not published yet; the lock file pins ours.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv);
