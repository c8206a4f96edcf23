import type { ConfirmRequest, IoHost } from '../../src/common/io-host.js';

/** A test I/O host: it records what it was told and asked, and answers as told (or throws). */
export interface RecordingHost<Message> extends IoHost<Message> {
  messages: Message[];
  questions: ConfirmRequest[];
}

/** A host that answers `answer` to every question, or throws it when it is an Error. */
export function recordingHost<Message>(answer: boolean | Error = true): RecordingHost<Message> {
  const messages: Message[] = [];
  const questions: ConfirmRequest[] = [];
  return {
    messages,
    questions,
    notify: (message) => messages.push(message),
    async confirm(request) {
      questions.push(request);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}
