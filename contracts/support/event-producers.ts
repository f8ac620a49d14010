// The provider's side of message pacts: a provider runs in-process, does what makes it
// emit an event, and the event is taken from the consuming service's own queue, exactly
// as SNS delivered it (body and `type` attribute). So a verification covers the provider's
// code path, its outbox and relay, and the topology's subscription.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Envelope, EventType } from '@haru/contracts';
import { eventually } from '@haru/testing';
import type { MessageFromProviderWithMetadata, MessageProviders } from '@pact-foundation/pact';
import { eventDescription } from './event-messages.ts';

export interface DeliveredEvent {
  event: Envelope;
  /** The SNS message attribute `type`, which the subscription filters route on. */
  typeAttribute: string | undefined;
}

export interface QueueTap {
  /** Waits for the first event on the queue that matches, and takes it. */
  take(type: EventType, familyId: string): Promise<DeliveredEvent>;
}

/** Reads a consumer's queue in a test, keeping what it does not need yet for later `take`s. */
export function tapQueue(sqs: SQSClient, queueUrl: string, { timeoutMs = 30_000 } = {}): QueueTap {
  const received: DeliveredEvent[] = [];
  const takeReceived = (type: EventType, familyId: string) => {
    const index = received.findIndex(({ event }) => event.type === type && event.familyId === familyId);
    return index < 0 ? undefined : received.splice(index, 1)[0];
  };
  return {
    take: (type, familyId) =>
      eventually(
        async () => {
          const already = takeReceived(type, familyId);
          if (already) return already;
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              MessageAttributeNames: ['All'],
            }),
          );
          if (Messages.length > 0) {
            for (const message of Messages) {
              received.push({
                event: JSON.parse(message.Body ?? '') as Envelope,
                typeAttribute: message.MessageAttributes?.type?.StringValue,
              });
            }
            await sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: Messages.map((message, index) => ({
                  Id: String(index),
                  ReceiptHandle: message.ReceiptHandle,
                })),
              }),
            );
          }
          return takeReceived(type, familyId);
        },
        { timeoutMs, message: `${type} of family ${familyId} on ${queueUrl}` },
      ),
  };
}

/** The message Pact compares: the event's JSON, and the attribute as message metadata. */
export const asPactMessage = ({ event, typeAttribute }: DeliveredEvent): MessageFromProviderWithMetadata => ({
  __pactMessageMetadata: typeAttribute === undefined ? {} : { type: typeAttribute },
  message: event,
});

/** Pact's message providers, keyed by the descriptions the consumers' pacts use. */
export const messageProviders = (
  producers: { [Type in EventType]?: () => Promise<DeliveredEvent> },
): MessageProviders =>
  Object.fromEntries(
    Object.entries(producers).map(([type, produce]) => [
      eventDescription(type as EventType),
      async () => asPactMessage(await produce()),
    ]),
  );

/** A deliberately broken provider: the same events with one data field renamed. */
export function renamingField(produce: () => Promise<DeliveredEvent>, from: string, to: string) {
  return async (): Promise<DeliveredEvent> => {
    const delivered = await produce();
    const { [from]: value, ...rest } = delivered.event.data as Record<string, unknown>;
    return { ...delivered, event: { ...delivered.event, data: { ...rest, [to]: value } } };
  };
}
