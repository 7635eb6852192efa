import type * as v from "valibot";
import type { ErrorIssue } from "../errors/index.ts";

/** valibot issues as `{ field: "items.0.quantity", message }`, the shape every 400/422 carries. */
export function toIssues(issues: readonly v.BaseIssue<unknown>[], prefix = ""): ErrorIssue[] {
  return issues.map((issue) => {
    const path = (issue.path ?? []).map((item) => String(item.key)).join(".");
    return { field: [prefix, path].filter(Boolean).join(".") || "(root)", message: issue.message };
  });
}
