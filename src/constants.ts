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

/**
 * The longest a session minted from an access key lives: GetSessionToken's and
 * GetFederationToken's 36 hours (a role's session, 12). One minted earlier has expired.
 */
export const SESSION_LIFETIME_HOURS = 36;

/** How long `deactivate-then-delete` leaves a key inactive before deleting it, when nothing else is said. */
export const DEFAULT_DELETE_AFTER_DAYS = 7;

/** The longest wait before a scheduled deletion. */
export const MAX_DELETE_AFTER_DAYS = 365;

/** When the verification after containment runs, in minutes, when nothing else is said. */
export const DEFAULT_VERIFY_AFTER_MINUTES = 30;

/** The latest verification: a week after containment. */
export const MAX_VERIFY_AFTER_MINUTES = 10_080;

/** The logical ids of the template's resources that the CLI looks up in a deployed stack. */
export const LOGICAL_IDS = {
  topic: 'NotificationTopic',
  stateMachine: 'StateMachine',
  containFunction: 'ContainFunction',
  investigateFunction: 'InvestigateFunction',
  notifyFunction: 'NotifyFunction',
  scheduleGroup: 'ScheduleGroup',
  schedulerRole: 'SchedulerRole',
  undeliveredQueue: 'UndeliveredQueue',
} as const;

/**
 * Athena's published price for SQL queries over S3: USD 5 per terabyte scanned (most regions),
 * billed per query, rounded up to the megabyte, with 10 MB at least; failed queries and DDL are not
 * billed. Source: https://aws.amazon.com/athena/pricing/ ("SQL queries", per-query pricing).
 */
export const ATHENA_PRICE = {
  usdPerTerabyte: 5,
  bytesPerTerabyte: 1e12,
  roundedToBytes: 1e6,
  minimumBytes: 10e6,
  source: 'https://aws.amazon.com/athena/pricing/',
} as const;

/**
 * The policies AWS puts on an IAM user whose access key it found exposed, newest first. The managed
 * ones are attached (`AttachUserPolicy`); the oldest mechanism added an inline policy
 * (`PutUserPolicy`). The template's quarantine rule lists the same names; a test checks.
 */
export const QUARANTINE_POLICIES = {
  managed: ['AWSCompromisedKeyQuarantineV3', 'AWSCompromisedKeyQuarantineV2', 'AWSCompromisedKeyQuarantine'],
  inline: ['AWSExposedCredentialPolicy_DO_NOT_REMOVE'],
} as const;

/** How long the record of an incident is kept, so that later signals about the key join it. */
export const INCIDENT_RECORD_DAYS = 90;

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

/**
 * The error `exposed-keys simulate` stops its test user's execution with, when interrupted: the
 * test key goes with its user, and the run says so itself; the stack's alert on executions that
 * end with no report lets it go.
 */
export const SIMULATION_INTERRUPTED = 'SimulationInterrupted';
