import { describe, expect, it } from "vitest";
import { splitStatements } from "./script.ts";

describe("splitStatements", () => {
  it("splits at line-ending semicolons and keeps function bodies whole", () => {
    const script = `create table a (x int);
create function f() returns trigger as $$
begin
  new.x := 1;
  return new;
end;
$$ language plpgsql;
-- a comment;
insert into a values (1);`;
    const parts = splitStatements(script);
    expect(parts).toHaveLength(4);
    expect(parts[1]).toContain("return new;");
    expect(parts[3]).toBe("insert into a values (1);");
  });
});
