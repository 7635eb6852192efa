import { describe, expect, test } from "bun:test";
import { hasCode } from "../errors/index.ts";
import { parseCloudEvent, parseCloudEventBatch } from "./envelope.ts";
import { readCloudEvents } from "./http.ts";
import { CloudEventErrorCode, CloudEventMediaType } from "./types.ts";

// The official conformance data (cloudevents/conformance) lives in the `shared/` folder beside the
// repository checkout, both here and in CI.
const conformance = new URL("../../../shared/cloudevents/conformance/", import.meta.url);

type Case = { id: string; description?: string; event?: unknown; batch?: unknown };
type Suite = { testType: string; tests: Case[] };

async function load(name: string): Promise<Suite> {
  const file = Bun.file(new URL(name, conformance));
  if (!(await file.exists())) {
    // Fails, not skips: say what is missing and where it is looked for, not just ENOENT.
    throw new Error(`the CloudEvents conformance data is read from shared/cloudevents/conformance beside the checkout, as CI has it; ${file.name} is not there`);
  }
  return (await file.json()) as Suite;
}

const [validEvents, invalidEvents, validBatches, invalidBatches] = await Promise.all(
  ["valid-events.json", "invalid-events.json", "valid-batches.json", "invalid-batches.json"].map(load),
);

function post(contentType: string, body: unknown): Request {
  return new Request("http://localhost/events", {
    method: "POST",
    headers: { "content-type": contentType },
    body: JSON.stringify(body),
  });
}

function rejection(run: () => unknown) {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

function expectInvalid(error: unknown) {
  expect(hasCode(error, CloudEventErrorCode.invalid)).toBe(true);
  expect(error).toMatchObject({ status: 400 });
  expect((error as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
}

describe(`conformance: ${validEvents!.testType}`, () => {
  for (const { id, event } of validEvents!.tests) {
    test(id, async () => {
      const parsed = parseCloudEvent(event);
      expect(parsed).toMatchObject({ specversion: "1.0", id: (event as { id: string }).id });
      const read = await readCloudEvents(post(CloudEventMediaType.structured, event));
      expect(read).toEqual({ mode: "structured", events: [parsed] });
    });
  }
});

describe(`conformance: ${invalidEvents!.testType}`, () => {
  for (const { id, event } of invalidEvents!.tests) {
    test(id, async () => {
      expectInvalid(rejection(() => parseCloudEvent(event)));
      expectInvalid(await readCloudEvents(post(CloudEventMediaType.structured, event)).catch((e) => e));
    });
  }
});

describe(`conformance: ${validBatches!.testType}`, () => {
  for (const { id, batch } of validBatches!.tests) {
    test(id, async () => {
      const parsed = parseCloudEventBatch(batch);
      expect(parsed).toHaveLength((batch as unknown[]).length);
      const read = await readCloudEvents(post(CloudEventMediaType.batch, batch));
      expect(read).toEqual({ mode: "batch", events: parsed });
    });
  }
});

describe(`conformance: ${invalidBatches!.testType}`, () => {
  for (const { id, batch } of invalidBatches!.tests) {
    test(id, async () => {
      expectInvalid(rejection(() => parseCloudEventBatch(batch)));
      expectInvalid(await readCloudEvents(post(CloudEventMediaType.batch, batch)).catch((e) => e));
    });
  }
});

test("the conformance data is there (a missing shared/ folder must fail, not pass empty)", () => {
  expect(validEvents!.tests.length).toBeGreaterThan(0);
  expect(invalidEvents!.tests.length).toBeGreaterThan(0);
  expect(validBatches!.tests.length).toBeGreaterThan(0);
  expect(invalidBatches!.tests.length).toBeGreaterThan(0);
});
