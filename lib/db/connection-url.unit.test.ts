import { expect, test } from "bun:test";
import { postgresConnection } from "./connection-url.ts";

test("a URL with a host and no socket is passed on unchanged", () => {
  const url = "postgres://postgres@127.0.0.1:5432/orderflow?sslmode=disable";
  expect(postgresConnection(url)).toEqual({ url });
});

test("?host=<directory> is the Unix socket in it, at the URL's port (5432 when none)", () => {
  expect(postgresConnection("postgres://postgres@localhost:5433/orderflow?host=/var/run/postgresql")).toEqual({
    url: "postgres://postgres@localhost:5433/orderflow",
    path: "/var/run/postgresql/.s.PGSQL.5433",
  });
  expect(postgresConnection("postgres://postgres@127.0.0.1/orderflow?host=%2Ftmp%2Fpg%2F&application_name=relay").path).toBe("/tmp/pg/.s.PGSQL.5432");
  expect(postgresConnection("postgres://postgres@127.0.0.1/orderflow?host=%2Ftmp%2Fpg%2F&application_name=relay").url).toBe("postgres://postgres@127.0.0.1/orderflow?application_name=relay");
});

test("a URL without a host (libpq's form) gets one postgres.js can parse", () => {
  expect(postgresConnection("postgres://postgres@/orderflow?host=/var/run/postgresql")).toEqual({
    url: "postgres://postgres@localhost/orderflow",
    path: "/var/run/postgresql/.s.PGSQL.5432",
  });
  expect(postgresConnection("postgresql:///orderflow?host=/run/pg").path).toBe("/run/pg/.s.PGSQL.5432");
});

test("a host parameter that is not a directory is left for postgres.js", () => {
  const url = "postgres://postgres@127.0.0.1/orderflow?host=db.internal";
  expect(postgresConnection(url)).toEqual({ url });
});
