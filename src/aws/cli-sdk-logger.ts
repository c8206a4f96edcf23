import type { SdkLogger } from './client-config.js';

/** What the SDK's credential chain warns when a profile and the environment's key are both set. */
const SEVERAL_SOURCES = 'Multiple credential sources detected';

/**
 * The SDK's messages in the CLI: its debug and request logs stay quiet, as with the SDK's default
 * logger; its warnings go to the console, where the SDK prints them when given no logger. All but
 * its warning of a profile and environment keys both set: several raw lines during an incident,
 * which the CLI replaces by one line of its own (see cli/credential-sources.ts).
 */
export const cliSdkLogger: SdkLogger = {
  debug() {},
  info() {},
  error() {},
  warn(...content) {
    if (typeof content[0] === 'string' && content[0].includes(SEVERAL_SOURCES)) return;
    console.warn(...content);
  },
};
