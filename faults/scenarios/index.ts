import type { Scenario } from "../harness/scenario.ts";
import { duplicateShuffle } from "./duplicate-shuffle.ts";
import { embeddedKill9 } from "./embedded-kill-9.ts";
import { gatewayFaults } from "./gateway-faults.ts";
import { kafkaRestart } from "./kafka-restart.ts";
import { kill9 } from "./kill-9.ts";
import { poison } from "./poison.ts";
import { postgresRestart } from "./postgres-restart.ts";
import { redisDown } from "./redis-down.ts";
import { redisFlushReplay } from "./redis-flush-replay.ts";
import { relayOpenTransaction } from "./relay-open-transaction.ts";
import { shipmentExpiryRace } from "./shipment-expiry-race.ts";

/** Every scenario, in the order they run (the short tier runs those marked `short`). */
export const scenarios: Scenario[] = [
  kill9,
  kafkaRestart,
  redisDown,
  redisFlushReplay,
  postgresRestart,
  gatewayFaults,
  duplicateShuffle,
  poison,
  relayOpenTransaction,
  shipmentExpiryRace,
  embeddedKill9,
];
