export { AppError, type ErrorIssue, hasCode, isAppError } from "./app-error.ts";
