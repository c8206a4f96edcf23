import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { MotoClients } from './moto.js';

/** A message as SNS delivered it to a subscribed queue. */
export interface DeliveredMessage {
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/** Creates a topic with an SQS queue subscribed to it, to read back what was published. */
export async function topicWithInbox(clients: MotoClients, name = 'exposed-keys') {
  const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: `${name}-inbox` }));
  const attributes = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await clients.sns.send(
    new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: attributes.Attributes?.QueueArn }),
  );
  return {
    topicArn: TopicArn as string,
    /** Every message delivered so far (empties the queue). */
    async messages(): Promise<DeliveredMessage[]> {
      const received: DeliveredMessage[] = [];
      for (;;) {
        const page = await clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (!page.Messages?.length) return received;
        received.push(...page.Messages.map((message) => JSON.parse(message.Body ?? '{}') as DeliveredMessage));
      }
    },
  };
}
