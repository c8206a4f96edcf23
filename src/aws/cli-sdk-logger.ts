import type { SdkLogger } from './client-config.js';

/**
 * The SDK's messages in the CLI: none reach the terminal, as with the SDK's default logger, which
 * drops them. A logger of its own is given all the same because, given the default one, the SDK's
 * credential chain prints its warning of a profile and environment keys both set straight to the
 * console: several raw lines during an incident, which the CLI replaces by one line of its own
 * (see cli/credential-sources.ts). Passing the SDK's other warnings on would print texts the CLI
 * has not made inert (a server's header value, say), and the HTTP handler's warnings of sockets
 * at capacity, which investigating many regions at once meets.
 */
export const cliSdkLogger: SdkLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
