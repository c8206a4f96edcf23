import { DescribeStackEventsCommand, type StackEvent as SdkStackEvent } from '@aws-sdk/client-cloudformation';
import { toAwsCallError } from '../aws/aws-errors.js';
import type { CloudFormationApi } from '../aws/narrow-clients.js';
import type { StackEvent } from './progress.js';
import { isStackMissing } from './stack-description.js';
import { isFailedResourceStatus } from './stack-status.js';

/** A failing resource, as `DeploymentError` carries it. */
export interface ResourceFailure {
  logicalId: string;
  status: string;
  reason: string;
}

function toStackEvent(event: SdkStackEvent): StackEvent {
  return {
    timestamp: event.Timestamp ?? new Date(0),
    logicalId: event.LogicalResourceId ?? '',
    type: event.ResourceType ?? '',
    status: event.ResourceStatus ?? '',
    reason: event.ResourceStatusReason || undefined,
  };
}

/**
 * Reads a stack's events as they arrive, each once. DescribeStackEvents lists the newest first; a
 * poll reads pages until it meets an event it has seen, so a long history is not read again.
 * Events are told apart by id, not by time, so that a skewed local clock cannot hide or repeat one.
 */
export class StackEventFollower {
  readonly #cloudFormation: CloudFormationApi;
  readonly #stack: string;
  readonly #seen = new Set<string>();
  readonly #events: StackEvent[] = [];

  /** @param stack the stack's id (ARN), which still answers once the stack is deleted, or its name. */
  constructor(cloudFormation: CloudFormationApi, stack: string) {
    this.#cloudFormation = cloudFormation;
    this.#stack = stack;
  }

  /** Marks the events that exist now as seen: only later ones are reported. */
  async skipExisting(): Promise<void> {
    // The newest page is enough: later polls stop at the first event they have seen.
    await this.#read(false);
  }

  /** The events that arrived since the last call, oldest first. */
  async poll(): Promise<StackEvent[]> {
    const fresh = (await this.#read(true)).map(toStackEvent);
    this.#events.push(...fresh);
    return fresh;
  }

  /** Every event reported by {@link poll}, oldest first. */
  get events(): readonly StackEvent[] {
    return this.#events;
  }

  /**
   * The resources that failed among the reported events, each with CloudFormation's reason.
   * The stack's own failure is listed only when no resource says more; `final` (the stack's final
   * status and reason) stands in when no event reports a failure.
   */
  failures(stackName: string, final?: { status: string; reason: string | undefined }): ResourceFailure[] {
    const failed = this.#events
      .filter((event) => isFailedResourceStatus(event.status))
      .map((event) => ({
        logicalId: event.logicalId,
        status: event.status,
        reason: event.reason ?? '(no reason given)',
      }));
    const resources = failed.filter((failure) => failure.logicalId !== stackName);
    if (resources.length > 0) return resources;
    if (failed.length > 0) return failed.slice(-1);
    // Without failure events (moto writes none for resources), the stack's own status reason is all there is.
    return final ? [{ logicalId: stackName, status: final.status, reason: final.reason ?? '(no reason given)' }] : [];
  }

  async #read(everyPage: boolean): Promise<SdkStackEvent[]> {
    const fresh: SdkStackEvent[] = [];
    let nextToken: string | undefined;
    do {
      let page: { StackEvents?: SdkStackEvent[]; NextToken?: string };
      try {
        page = await this.#cloudFormation.send(
          new DescribeStackEventsCommand({ StackName: this.#stack, NextToken: nextToken }),
        );
      } catch (error) {
        // A stack followed by name is gone once deleted: there is nothing more to read.
        if (isStackMissing(error)) return fresh.reverse();
        throw toAwsCallError('cloudformation:DescribeStackEvents', error);
      }
      let metSeen = false;
      for (const event of page.StackEvents ?? []) {
        const id =
          event.EventId ?? `${event.LogicalResourceId}/${event.ResourceStatus}/${event.Timestamp?.toISOString()}`;
        if (this.#seen.has(id)) {
          metSeen = true;
          break;
        }
        this.#seen.add(id);
        fresh.push(event);
      }
      nextToken = metSeen || !everyPage ? undefined : page.NextToken;
    } while (nextToken);
    return fresh.reverse();
  }
}
