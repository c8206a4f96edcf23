/*
 * Facts that more than one part of exposed-keys needs, each written once. The template
 * (cloudformation/exposed-keys.yaml) repeats some of them in YAML; tests check that it agrees.
 */

/** The stack, and the events it reacts to, live in this region only. */
export const STACK_REGION = 'us-east-1';

/** The stack name when --stack-name is not given. */
export const DEFAULT_STACK_NAME = 'exposed-keys';

/** CloudTrail records every IAM and STS call in this region, whatever region the caller used. */
export const GLOBAL_EVENTS_REGION = 'us-east-1';

/** LookupEvents keeps 90 days of history: a longer look back finds nothing more. */
export const MAX_LOOKBACK_HOURS = 2160;

/** How far back an investigation looks when nothing else is said. */
export const DEFAULT_LOOKBACK_HOURS = 24;

/** The logical ids of the template's resources that the CLI looks up in a deployed stack. */
export const LOGICAL_IDS = {
  topic: 'NotificationTopic',
  stateMachine: 'StateMachine',
  containFunction: 'ContainFunction',
  investigateFunction: 'InvestigateFunction',
  notifyFunction: 'NotifyFunction',
} as const;

/**
 * Organisation mode: the path of the hub's function roles. Member accounts trust the hub's roles
 * under this path (cloudformation/member.yaml), and the hub stack gives it to its function roles.
 */
export const HUB_ROLE_PATH = '/exposed-keys-hub/';

/** Organisation mode: the responder role's name in every member account when nothing else is said. */
export const DEFAULT_RESPONDER_ROLE_NAME = 'exposed-keys-responder';

/** Organisation mode: the StackSet that deploys the member template to the members. */
export const DEFAULT_STACK_SET_NAME = 'exposed-keys-members';

/** Organisation mode: the management account's member stack (StackSets never deploy there). */
export const DEFAULT_MEMBER_STACK_NAME = 'exposed-keys-member';
