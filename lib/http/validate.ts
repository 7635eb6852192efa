import { vValidator } from "@hono/valibot-validator";
import type * as v from "valibot";
import { AppError } from "../errors/app-error.ts";
import { toIssues } from "./issues.ts";

/** Validates a JSON body; a failure is a 400 problem naming every failing field, and changes nothing. */
export function jsonBody<S extends v.GenericSchema>(schema: S) {
  return vValidator("json", schema, (result) => {
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
