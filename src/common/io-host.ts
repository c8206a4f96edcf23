/** A question a library asks before it changes something. */
export interface ConfirmRequest {
  /** The question, as a person reads it: "Execute this change set on exposed-keys?". */
  question: string;
  /** What saying yes would do, for a host that cannot ask: "changes the account". */
  consequence: string;
}

/**
 * How a library talks with whoever runs it: it tells what it is doing, and asks before it changes
 * something, so that a whole flow is one library call. The CLI supplies the host: a prompt on a
 * terminal, a refusal without one, yes with --yes. The library never prints.
 */
export interface IoHost<Message> {
  /** Tells what is happening (a step, a stack event, a plan). */
  notify(message: Message): void;
  /** Resolves true to go ahead and false to stop; throws to refuse when there is no one to ask. */
  confirm(request: ConfirmRequest): Promise<boolean>;
}
