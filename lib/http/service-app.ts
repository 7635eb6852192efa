import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "../log/index.ts";
import { keepLog, notFound, onErrorWith, problemResponse } from "./problem.ts";

/** Larger than any order or CloudEvents batch the flow produces; a bigger body is refused unread. */
export const maxBodyBytes = 1024 * 1024;

/**
 * The frame every service app starts from: problem+json errors (unknown ones logged to `log`), a
 * 404 problem, `GET /health`, a body limit.
 */
export function createServiceApp(service: string, log: Logger): Hono {
  const app = new Hono();
  app.onError(onErrorWith(log));
  app.notFound(notFound);
  app.use(keepLog(log));
  app.use(
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () =>
        problemResponse({ status: 413, title: "Content Too Large", code: "request.too_large", detail: `the body exceeds ${maxBodyBytes} bytes` }),
    }),
  );
  app.get("/health", (c) => c.json({ status: "ok", service }));
  return app;
}
