import { idempotencyStoreContract } from "./idempotency.contract.ts";
import { createMemoryIdempotencyStore } from "./memory.ts";

idempotencyStoreContract("memory", async () => {
  let now = 1_700_000_000_000;
  const store = createMemoryIdempotencyStore({ now: () => now });
  return {
    store,
    advance: async (ms) => {
      now += ms;
    },
    cleanup: () => store.close(),
  };
});
