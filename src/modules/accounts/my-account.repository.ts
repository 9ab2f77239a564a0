import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/** Ends every session of the account but the one the person is using. */
export async function deleteOtherSessionsOf(db: Kysely<DB>, accountId: string, keepTokenHash: string): Promise<number> {
  const result = await db
    .deleteFrom("sessions")
    .where("account_id", "=", accountId)
    .where("token_hash", "<>", keepTokenHash)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
