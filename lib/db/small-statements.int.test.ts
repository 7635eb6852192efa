import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { createScratchDatabase, tryGetServiceUrl } from "../testing/index.ts";
import { preparedParameterLimit, preparingSmallStatements } from "./small-statements.ts";

const url = tryGetServiceUrl("postgres");

describe.skipIf(!url)("small statements prepared (PostgreSQL)", () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let client: postgres.Sql;
  beforeAll(async () => {
    scratch = await createScratchDatabase(url!);
    // One connection: pg_prepared_statements shows that session's statements only.
    client = postgres(scratch.url, { max: 1, onnotice: () => {} });
  }, 60_000);
  afterAll(async () => {
    await client.end();
    await scratch.drop();
  }, 60_000);
  const db = () => drizzle({ client: preparingSmallStatements(client) });
  const prepared = async () => (await client`select statement from pg_prepared_statements`).map((row) => String(row.statement));
  const values = (n: number) => sql.join(Array.from({ length: n }, (_, i) => sql`(${i})`), sql`, `);

  test("a statement within the limit is prepared once and reused; a bigger one is not prepared", async () => {
    const small = values(preparedParameterLimit);
    const big = values(preparedParameterLimit + 1);
    for (let i = 0; i < 3; i++) await db().execute(sql`select count(*) from (values ${small}) as t(x)`);
    const rows = await db().execute(sql`select count(*)::int as n from (values ${big}) as t(x)`);
    expect(rows[0]).toEqual({ n: preparedParameterLimit + 1 });
    const texts = await prepared();
    expect(texts.filter((t) => t.includes(`$${preparedParameterLimit})`))).toHaveLength(1);
    expect(texts.some((t) => t.includes(`$${preparedParameterLimit + 1})`))).toBe(false);
  });

  test("inside transactions and savepoints too, with their results and rollbacks intact", async () => {
    await db().execute(sql`create table marks (n int)`);
    await db().transaction(async (tx) => {
      await tx.execute(sql`insert into marks values (${1})`);
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`insert into marks values (${2})`);
          throw new Error("roll the savepoint back");
        })
        .catch(() => {});
    });
    expect([...(await client`select n from marks`)]).toEqual([{ n: 1 }]);
    const texts = await prepared();
    expect(texts.filter((t) => t.startsWith("insert into marks"))).toEqual(["insert into marks values ($1)"]);
  });
});
