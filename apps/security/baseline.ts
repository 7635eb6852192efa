import fc from "fast-check";
import * as v from "valibot";
import { readCloudEvents } from "../../lib/cloudevents/index.ts";
import { eventCatalog, type EventType } from "../../lib/events/index.ts";
import { testSecurity, testSigner } from "../../lib/testing/index.ts";
import { subscribedPairs, validEvent } from "./event-inputs.ts";
import { attack } from "./forgeries.ts";
import type { Control } from "./genuine.ts";
import { modes, pushOf, requestOf, signedPush } from "./raw-push.ts";
import type { Target } from "./world.ts";

type Json = Record<string, unknown>;

/** Why `event` would be refused by the webhook's reading and schema, or undefined if it would be accepted. */
async function refusalOf(event: Json, mode: (typeof modes)[number], service: string): Promise<string | undefined> {
  try {
    const { events } = await readCloudEvents(requestOf(pushOf(mode, service, [event], event)));
    const type = events[0]!.type as EventType;
    if (events[0]!.source !== eventCatalog[type].source) return "wrong source";
    const parsed = v.safeParse(eventCatalog[type].schema, events[0]);
    return parsed.success ? undefined : parsed.issues.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`).join("; ");
  } catch (error) {
    return String(error);
  }
}

/**
 * A refusal proves something only if the same input without its flaw is accepted. Checked without
 * touching the flow: the valid events the malformed ones start from, and the forgeries' events,
 * pass the webhook's own reading and schemas in every mode, and a forgery signed with the right
 * secret passes the signature check.
 */
export async function validBaseline(target: Target, genuineOrders: readonly string[]): Promise<Control[]> {
  const problems: string[] = [];
  for (const { service, type } of subscribedPairs) {
    for (const mode of modes) {
      const why = await refusalOf(validEvent(type, "sec-baseline", "o-sec-baseline"), mode, service);
      if (why) problems.push(`${type} to ${service} (${mode}): ${why}`);
    }
  }
  const forgeries = fc.sample(attack(target, genuineOrders), { numRuns: 50, seed: 1 }).filter((a) => a.events.length > 0);
  const unsigned: string[] = [];
  for (const forgery of forgeries) {
    for (const mode of modes) {
      const why = await refusalOf(forgery.events[0]!, mode, forgery.service);
      if (why) unsigned.push(`${forgery.name} (${mode}): ${why}`);
      const signed = signedPush(pushOf(mode, forgery.service, forgery.events, forgery.events[0]!), testSigner, "msg_baseline");
      try {
        testSecurity.verifyPush(new Headers(signed.headers), new TextDecoder().decode(signed.body));
      } catch (error) {
        unsigned.push(`${forgery.name} (${mode}), signed: ${String(error)}`);
      }
    }
  }
  return [
    { what: `the valid events the malformed ones start from pass the webhook's reading and schemas (${subscribedPairs.length} types × 3 modes)`, ok: problems.length === 0, detail: problems.slice(0, 3).join(" | ") || "all pass" },
    { what: `the forgeries would pass every check but the signature (${forgeries.length} samples × 3 modes)`, ok: unsigned.length === 0, detail: unsigned.slice(0, 3).join(" | ") || "all pass" },
  ];
}
