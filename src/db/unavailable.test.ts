import pg from "pg";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./unavailable.ts";

describe("isDatabaseUnavailable", () => {
  it("recognises a server that refuses the connection, as pg reports it", async () => {
    // Port 1 on this machine: nothing listens, the connection is refused at once.
    const client = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:1/x", connectionTimeoutMillis: 2_000 });
    const error = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("recognises PostgreSQL's shutdown and connection codes and pg's own messages", () => {
    for (const code of ["57P01", "57P02", "57P03", "08006", "08001", "ECONNRESET"]) {
      expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code }))).toBe(true);
    }
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) }))).toBe(true);
  });

  it("leaves a fault of the statement or of the code to be a bug (500), not an outage", () => {
    for (const code of ["42601", "23505", "22P02", "40001"]) {
      expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code }))).toBe(false);
    }
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
