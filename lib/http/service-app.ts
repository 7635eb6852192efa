import { Hono } from "hono";
import { notFound, onError } from "./problem.ts";

/** The frame every service app starts from: problem+json errors, a 404 problem, `GET /health`. */
export function createServiceApp(service: string): Hono {
  const app = new Hono();
  app.onError(onError);
  app.notFound(notFound);
  app.get("/health", (c) => c.json({ status: "ok", service }));
  return app;
}
