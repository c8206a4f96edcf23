#!/usr/bin/env node
// The SDK warns on every run under Node 20 about versions it has not published yet; the lock file pins ours.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv);
