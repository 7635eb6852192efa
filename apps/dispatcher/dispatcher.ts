import { AppError } from "../../lib/errors/index.ts";
import type { Broker, ConsumedRecord, Subscription } from "../../lib/broker/index.ts";
import { deadLetterOfEvent, deadLetterOfRecord, redrivenFor, type ValidCloudEvent } from "../../lib/cloudevents/index.ts";
import { type EventType, topics } from "../../lib/events/index.ts";
import { errorSummary, type Logger } from "../../lib/log/index.ts";
import { signRequest, type WebhookSigner } from "../../lib/security/index.ts";
import type { Answer } from "./answer.ts";
import type { RetryPolicy } from "./classify.ts";
import { type DeliveryDeps, deliverInOrder, type Item } from "./delivery.ts";
import { KeyOrder } from "./key-order.ts";
import { parkedOrders } from "./parked-orders.ts";
import { Parking } from "./parking.ts";
import { createPushQueue, defaultPushConcurrency } from "./push-queue.ts";
import { batchId, requestOf } from "./push-request.ts";
import { createRecordReader } from "./record-reader.ts";
import { refusalOf } from "./refusal.ts";
import { defaultRetryPolicy } from "./retry-config.ts";

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
export type SubscriptionSpec = {
  service: string;
  topics: string[];
  types: readonly EventType[];
  mode?: PushMode;
  /** This subscription's retries, over the dispatcher's `retry` (retry-config.ts reads both from the environment). */
  retry?: Partial<RetryPolicy>;
  /** Requests in flight to this subscriber, over the dispatcher's `pushConcurrency`. */
  concurrency?: number;
};

/** Sends a request to a service's webhook: over HTTP, or in-process to its Hono app; `signal` abandons it. */
export type Deliver = (service: string, request: Request, signal?: AbortSignal) => Promise<Response>;

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
  /** Records of one partition in delivery at once (later batches go while earlier ones retry). */
  maxInFlight?: number;
  /** Requests in flight to one subscriber; batch-mode attempts waiting for one go out together (push-queue.ts). */
  pushConcurrency?: number;
};

export type Dispatcher = { start(): Promise<void>; stop(): Promise<void> };

/**
 * Consumes each subscription as its own consumer group and pushes the records to the subscriber's
 * webhook as CloudEvents batches cut below the receiver's limits (or one by one in binary mode,
 * see PushMode), each event answered on its own (lib/http/event-outcomes.ts).
 *
 * Ordering is per order (the record key), not per partition: the broker hands the next batches of
 * a partition over while earlier ones still run (up to `maxInFlight` records), and an order's
 * events wait only for its own earlier events (key-order.ts). So an event being retried holds back
 * the later events of its order and nothing else; the broker commits a partition's offset only up
 * to its lowest unfinished record. An event refused or out of attempts goes to dead-letters, and
 * the later events of its order are parked behind it (parking.ts) until a redrive.
 *
 * A forwarder: each record is parsed once as it is read (the topic is a trust edge, anyone with
 * write access can publish), and the events go out as they came in, without another check.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { broker, subscriptions, deliver, sign, log } = options;
  const sleep = options.sleep ?? ((ms: number) => Bun.sleep(ms));
  const urlOf = options.urlOf ?? ((service: string) => `http://${service}`);
  const maxInFlight = options.maxInFlight ?? 2_000;
  const pushConcurrency = options.pushConcurrency ?? defaultPushConcurrency;
  const running: Subscription[] = [];
  // Shared by every subscription: each group fetches the same records (record-reader.ts).
  const readRecord = createRecordReader();
  let stopping = false;

  /** One attempt, signed anew (the timestamp is part of the signature); the id stays per batch. */
  async function attempt(spec: SubscriptionSpec, items: Item[], signal: AbortSignal | undefined): Promise<Answer> {
    const url = `${urlOf(spec.service)}/events/${spec.service}`;
    try {
      const unsigned = requestOf(spec.mode ?? "batch", url, items);
      const response = await deliver(spec.service, await signRequest(unsigned, sign, batchId(spec.service, items)), signal);
      return { status: response.status, detail: await response.text(), failure: undefined, retryAfter: response.headers.get("retry-after") };
    } catch (error) {
      return { status: undefined, detail: String(error), failure: error, retryAfter: null };
    }
  }

  /** The dead letter keeps the whole answer (`detail`); the log only its code and field names. */
  async function deadLetter(service: string, items: Item[], answer: Answer, why?: string) {
    const { status, detail, failure } = answer;
    const attempts = Math.max(0, ...items.map((item) => item.attempts));
    const events = items.slice(0, 20).map(({ event }) => ({ id: event.id, type: event.type }));
    const reason = why ? { why } : failure === undefined ? { refusal: refusalOf(detail) } : { error: failure };
    log.error({ service, status, attempts, count: items.length, events, ...reason }, why === "parked" ? "dispatcher: parked behind a dead letter" : "dispatcher: dead-lettered");
    await broker.publish(
      items.map(({ key, event, origin, attempts: tried }) =>
        deadLetterOfEvent(topics.deadLetter.name, key, event, { service, status, reason: detail, attempts: tried, origin }),
      ),
    );
  }

  const wait = async (ms: number, signal: AbortSignal | undefined) => {
    if (signal?.aborted) return;
    let onAbort = () => {};
    const aborted = new Promise<void>((resolve) => (onAbort = resolve));
    signal?.addEventListener("abort", onAbort, { once: true });
    await Promise.race([sleep(ms), aborted]);
    signal?.removeEventListener("abort", onAbort);
  };

  function subscriber(spec: SubscriptionSpec, parking: Parking) {
    const order = new KeyOrder();
    // By default about ten minutes of retries (five on average: the jitter is full) before a
    // retryable failure is dead-lettered: long enough to ride out a service restart or a deploy,
    // short enough that a real outage shows up in dead-letters.
    const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry, ...spec.retry };
    const batched = (spec.mode ?? "batch") === "batch";
    const send = (items: Item[], signal: AbortSignal | undefined) => attempt(spec, items, signal);
    const deps: DeliveryDeps = {
      batched,
      attempt: batched ? createPushQueue(send, { concurrency: spec.concurrency ?? pushConcurrency }) : send,
      deadLetter: (items, answer, why) => deadLetter(spec.service, items, answer, why),
      parking,
      policy,
      sleep: wait,
      isStopping: () => stopping,
    };

    /** Reads the records once; what is not a CloudEvent is dead-lettered untouched (no retry can fix it). */
    async function itemsOf(records: ConsumedRecord[]): Promise<Item[]> {
      const wanted: Item[] = [];
      for (const record of records) {
        let event: ValidCloudEvent;
        try {
          event = readRecord(record);
        } catch (error) {
          const reason = `unreadable record ${record.topic}/${record.partition}@${record.offset}: ${String(error)}`;
          const at = { topic: record.topic, partition: record.partition, offset: record.offset };
          // Without the message: a parser's quotes what it could not read, and anyone can publish.
          const { message: _, ...why } = errorSummary(error);
          log.error({ service: spec.service, record: { ...at, offset: String(at.offset) }, why }, "dispatcher: unreadable record dead-lettered");
          await broker.publish([deadLetterOfRecord(topics.deadLetter.name, record, { service: spec.service, reason, attempts: 0, origin: at })]);
          continue;
        }
        if (!(spec.types as readonly string[]).includes(event.type)) continue;
        const origin = { topic: record.topic, partition: record.partition, offset: record.offset };
        wanted.push({ key: record.key, event, origin, redriven: redrivenFor(record).includes(spec.service), attempts: 0 });
      }
      return wanted;
    }

    /**
     * One batch of a partition: its orders that no earlier batch still holds go at once, together;
     * each other order waits for the earlier batch to finish it. Resolves when every event is
     * delivered or dead-lettered; throws (the broker redelivers from the committed offset) when
     * stopping, revoked, or when an earlier batch gave up on one of its orders.
     */
    async function handle(records: ConsumedRecord[], signal: AbortSignal | undefined): Promise<void> {
      const items = await itemsOf(records);
      const ticket = order.enter(items.map((item) => item.key));
      const done = (key: string) => ticket.settle(key, true);
      try {
        const free = items.filter((item) => !ticket.before.has(item.key));
        const jobs = free.length > 0 ? [deliverInOrder(deps, free, signal, done)] : [];
        for (const [key, earlier] of ticket.before) {
          const mine = items.filter((item) => item.key === key);
          jobs.push(
            (async () => {
              if (!(await earlier)) throw new AppError("dispatcher.order_given_up", `an earlier batch gave up on order ${key}; both are delivered again`);
              await deliverInOrder(deps, mine, signal, done);
            })(),
          );
        }
        const failed = (await Promise.allSettled(jobs)).find((job) => job.status === "rejected");
        if (failed) throw failed.reason;
      } finally {
        ticket.settleRest();
      }
    }
    return handle;
  }

  return {
    async start() {
      // All groups join at once: on Kafka each join waits for a rebalance, so one after the other
      // would add up.
      const parked = await parkedOrders(broker, subscriptions.map((spec) => spec.service));
      const joined = await Promise.all(
        subscriptions.map((spec) => {
          const handle = subscriber(spec, parked.get(spec.service) ?? new Parking());
          return broker.subscribe({ group: `dispatcher.${spec.service}`, topics: spec.topics, maxInFlight, handle: (records, delivery) => handle(records, delivery?.signal) });
        }),
      );
      running.push(...joined);
    },
    async stop() {
      stopping = true;
      await Promise.all(running.splice(0).map((s) => s.close()));
    },
  };
}
