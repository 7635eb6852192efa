import { AppError, type ErrorIssue } from "../errors/index.ts";
import { CloudEventErrorCode } from "./types.ts";

export function invalidCloudEvent(message: string, issues: ErrorIssue[] = [], cause?: unknown): AppError {
  return new AppError(CloudEventErrorCode.invalid, message, { status: 400, issues, cause });
}

export function unsupportedMediaType(contentType: string | undefined, why: string): AppError {
  return new AppError(
    CloudEventErrorCode.unsupportedMediaType,
    `Unsupported content type ${contentType === undefined ? "(none)" : JSON.stringify(contentType)}: ${why}`,
    { status: 415, issues: [{ field: "content-type", message: why }] },
  );
}
