export { AppError, hasCode, isAppError, type ErrorIssue } from "./app-error.ts";
