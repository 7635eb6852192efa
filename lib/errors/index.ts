export { AppError, type ErrorIssue, hasCode, isAppError } from "./app-error.ts";
export { sqlStateOf } from "./sqlstate.ts";
