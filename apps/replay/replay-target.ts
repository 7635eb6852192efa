import { AppError } from "../../lib/errors/index.ts";
import { roster } from "../roster.ts";

/**
 * Which dead letters to replay: one subscriber's, or all (no value). Only services of the roster:
 * each name is a consumer group of its own, so free text would create groups without end.
 */
export function replayTarget(service: string | undefined): string | undefined {
  if (service === undefined || service === "") return undefined;
  if (roster.some((entry) => entry.name === service)) return service;
  throw new AppError("replay.unknown_subscription", `no subscription "${service}"`, {
    status: 422,
    issues: [{ field: "service", message: `one of ${roster.map((entry) => entry.name).join(", ")}` }],
  });
}
