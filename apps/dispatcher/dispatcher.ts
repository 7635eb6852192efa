import { AppError } from "../../lib/errors/index.ts";
import type { Broker, ConsumedRecord, Subscription } from "../../lib/broker/index.ts";
import {
  type DeadLetterOrigin,
  deadLetterOfEvent,
  deadLetterOfRecord,
  fromKafkaRecord,
  type ValidCloudEvent,
} from "../../lib/cloudevents/index.ts";
import { type EventType, topics } from "../../lib/events/index.ts";
import { errorSummary, type Logger } from "../../lib/log/index.ts";
import { signRequest, type WebhookSigner } from "../../lib/security/index.ts";
import { cutBatches } from "./batches.ts";
import { classify, type RetryPolicy, retryDelayMs } from "./classify.ts";
import { batchId, halves, requestOf } from "./push-request.ts";
import { refusalOf } from "./refusal.ts";

/**
 * How a subscription is pushed. `batch` (the default): the records of a poll as one CloudEvents
 * batch, the whole of it signed; our services take only this. `binary`: one event per request,
 * its attributes in `ce-` headers and its data as the body, for an outside receiver that reads no
 * batches (a standard CloudEvents HTTP receiver). Standard Webhooks signs the body alone, so a
 * binary push's attributes are unsigned: our own webhooks refuse it (415).
 */
export type PushMode = "batch" | "binary";

/**
 * One consumer group per subscribing service: the dispatcher pushes only `types` to
 * `POST /events/{service}`; the other records of `topics` are skipped and committed.
 */
export type SubscriptionSpec = { service: string; topics: string[]; types: readonly EventType[]; mode?: PushMode };

/** Sends a request to a service's webhook: over HTTP, or in-process to its Hono app. */
export type Deliver = (service: string, request: Request) => Promise<Response>;

export type DispatcherOptions = {
  broker: Broker;
  subscriptions: SubscriptionSpec[];
  deliver: Deliver;
  /** Signs every push (Standard Webhooks); the receiver refuses anything unsigned. */
  sign: WebhookSigner;
  /** Base URL of each service (only the path matters for in-process delivery). */
  urlOf?: (service: string) => string;
  retry?: Partial<RetryPolicy>;
  /** Waits between attempts (tests pass a fake clock). Default: Bun.sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Hears of every dead letter: the events' ids and types and why, never the events. */
  log: Logger;
};

export type Dispatcher = { start(): Promise<void>; stop(): Promise<void> };

/** What one delivery attempt got back. */
type Answer = { status: number | undefined; detail: string; failure: unknown; retryAfter: string | null };

/** How the last delivery attempt ended, kept on the dead letter. */
type Outcome = Answer & { attempts: number };

/** An event read from its record, with the record's key and place (a dead letter keeps both). */
type Pending = { key: string; event: ValidCloudEvent; origin: DeadLetterOrigin };

/**
 * Consumes each subscription as its own consumer group and pushes the records, in partition order,
 * to the subscriber's webhook as CloudEvents batches cut below the receiver's limits (or one by one
 * in binary mode, see PushMode). The broker commits a poll only when this resolves: after a 2xx
 * for every event, or after the refused ones went to the dead-letter topic.
 *
 * A forwarder: each record is parsed once as it is read (the topic is a trust edge, anyone with
 * write access can publish), and the events go out as they came in, without another check.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { broker, subscriptions, deliver, sign, log } = options;
  const sleep = options.sleep ?? ((ms: number) => Bun.sleep(ms));
  const urlOf = options.urlOf ?? ((service: string) => `http://${service}`);
  // At most about ten minutes of retries (five on average: the jitter is full) before a retryable
  // failure is dead-lettered: long enough to ride out a service restart or a deploy, short enough
  // that a real outage shows up in dead-letters.
  const policy: RetryPolicy = { maxAttempts: 30, baseDelayMs: 100, maxDelayMs: 30_000, ...options.retry };
  const running: Subscription[] = [];
  let stopping = false;

  async function push(spec: SubscriptionSpec, pending: Pending[]): Promise<void> {
    const url = `${urlOf(spec.service)}/events/${spec.service}`;
    const id = batchId(spec.service, pending);
    for (let attempt = 0; ; attempt++) {
      const answer = await attemptPush(spec.service, requestOf(spec.mode ?? "batch", url, pending), id);
      const outcome = { ...answer, attempts: attempt + 1 };
      const verdict = classify(answer.status);
      switch (verdict) {
        case "done":
          return;
        case "rejected":
          // Find the poison event: the others still deserve delivery, in order.
          if (pending.length > 1) for (const one of pending) await push(spec, [one]);
          else await deadLetter(spec.service, pending, outcome);
          return;
        case "too_large":
          // Halves until each fits; a lone event that does not fit never will.
          if (pending.length > 1) for (const half of halves(pending)) await push(spec, half);
          else await deadLetter(spec.service, pending, outcome);
          return;
        case "retry":
          if (attempt + 1 >= policy.maxAttempts) return deadLetter(spec.service, pending, outcome);
          if (stopping) throw new AppError("dispatcher.stopping", "stopping; the batch will be redelivered");
          await sleep(retryDelayMs(policy, attempt, answer.status, answer.retryAfter));
          break;
        default: {
          const unreachable: never = verdict;
          return unreachable;
        }
      }
    }
  }

  /** One attempt, signed anew (the timestamp is part of the signature); the id stays. */
  async function attemptPush(service: string, unsigned: Request, id: string): Promise<Answer> {
    try {
      const response = await deliver(service, await signRequest(unsigned, sign, id));
      const status = response.status;
      return { status, detail: status >= 300 ? await response.text() : "", failure: undefined, retryAfter: response.headers.get("retry-after") };
    } catch (error) {
      return { status: undefined, detail: String(error), failure: error, retryAfter: null };
    }
  }

  /** The dead letter keeps the whole answer (`detail`); the log only its code and field names. */
  async function deadLetter(service: string, pending: Pending[], outcome: Outcome) {
    const { status, detail, failure, attempts } = outcome;
    const events = pending.slice(0, 20).map(({ event }) => ({ id: event.id, type: event.type }));
    const reason = failure === undefined ? { refusal: refusalOf(detail) } : { error: failure };
    log.error({ service, status, attempts, count: pending.length, events, ...reason }, "dispatcher: dead-lettered");
    await broker.publish(
      pending.map(({ key, event, origin }) => deadLetterOfEvent(topics.deadLetter.name, key, event, { service, status, reason: detail, attempts, origin })),
    );
  }

  async function handle(spec: SubscriptionSpec, records: ConsumedRecord[]): Promise<void> {
    const wanted: Pending[] = [];
    for (const record of records) {
      let event: ValidCloudEvent;
      try {
        event = fromKafkaRecord(record);
      } catch (error) {
        // Not a CloudEvent: no retry can fix it. Keep it, untouched, where someone can look.
        const reason = `unreadable record ${record.topic}/${record.partition}@${record.offset}: ${String(error)}`;
        const at = { topic: record.topic, partition: record.partition, offset: record.offset };
        // Without the message: a parser's quotes what it could not read, and anyone can publish.
        const { message: _, ...why } = errorSummary(error);
        log.error({ service: spec.service, record: { ...at, offset: String(at.offset) }, why }, "dispatcher: unreadable record dead-lettered");
        await broker.publish([deadLetterOfRecord(topics.deadLetter.name, record, { service: spec.service, reason, attempts: 0, origin: at })]);
        continue;
      }
      const origin = { topic: record.topic, partition: record.partition, offset: record.offset };
      if ((spec.types as readonly string[]).includes(event.type)) wanted.push({ key: record.key, event, origin });
    }
    if (spec.mode === "binary") for (const one of wanted) await push(spec, [one]);
    else for (const batch of cutBatches(wanted)) await push(spec, batch);
  }

  return {
    async start() {
      // All groups join at once: on Kafka each join waits for a rebalance, so one after the other
      // would add up.
      const joined = await Promise.all(
        subscriptions.map((spec) =>
          broker.subscribe({ group: `dispatcher.${spec.service}`, topics: spec.topics, handle: (records) => handle(spec, records) }),
        ),
      );
      running.push(...joined);
    },
    async stop() {
      stopping = true;
      await Promise.all(running.splice(0).map((s) => s.close()));
    },
  };
}
