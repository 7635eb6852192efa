import { vValidator } from "@hono/valibot-validator";
import type * as v from "valibot";
import { isJsonMediaType, parseMediaType } from "../cloudevents/index.ts";
import { AppError } from "../errors/index.ts";
import { toIssues } from "./issues.ts";

/**
 * Validates a JSON body; a failure is a 400 problem naming every failing field, and changes
 * nothing. A body that is not JSON at all is a 415 (the validator would see it as `{}`).
 */
export function jsonBody<S extends v.GenericSchema>(schema: S) {
  return vValidator("json", schema, (result, c) => {
    const contentType = c.req.header("content-type") ?? "";
    const mediaType = parseMediaType(contentType);
    if (!mediaType || mediaType.type !== "application" || !isJsonMediaType(mediaType)) {
      throw new AppError("request.unsupported_media_type", `expected an application/json body, got "${contentType}"`, {
        status: 415,
        issues: [{ field: "Content-Type", message: "must be application/json" }],
      });
    }
    if (!result.success) {
      throw new AppError("request.invalid", "the request body is invalid", { status: 400, issues: toIssues(result.issues) });
    }
  });
}

export function query<S extends v.GenericSchema>(schema: S) {
  return vValidator("query", schema, (result) => {
    if (!result.success) {
      throw new AppError("request.invalid", "the query is invalid", { status: 400, issues: toIssues(result.issues) });
    }
  });
}

export function params<S extends v.GenericSchema>(schema: S) {
  return vValidator("param", schema, (result) => {
    if (!result.success) {
      throw new AppError("request.invalid", "the path is invalid", { status: 400, issues: toIssues(result.issues) });
    }
  });
}
