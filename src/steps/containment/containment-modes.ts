/* A module of its own: settings check modes without loading the containment code and its SDK clients. */

/**
 * How to contain a key: delete it (the default), deactivate it, deactivate it now and delete it
 * later unless released (a one-time schedule), or only report it.
 */
export type ContainmentMode = 'delete' | 'deactivate' | 'deactivate-then-delete' | 'notify-only';

/** All containment modes, for validation of options and parameters. */
export const CONTAINMENT_MODES = [
  'delete',
  'deactivate',
  'deactivate-then-delete',
  'notify-only',
] as const satisfies readonly ContainmentMode[];
