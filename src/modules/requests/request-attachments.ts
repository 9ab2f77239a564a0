import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/** A file that came with a request (an e-mail's attachment), as its page lists it. */
export interface RequestAttachment {
  id: string;
  fileName: string;
  size: number;
  /** Where the staff download it; the route checks the reader's access to the request's organisation. */
  href: string;
}

export type AttachmentLister = (db: Kysely<DB>, orgId: string, requestId: string) => Promise<RequestAttachment[]>;

// The modules that store files for requests (mailboxes) provide a lister here: they already depend on this
// module (they register requests), so the request page cannot import them without a cycle.
const listers = new Map<string, AttachmentLister>();

/** Declares where requests' files are read from; keyed by module, so building a second server adds no duplicate. */
export function provideRequestAttachments(module: string, lister: AttachmentLister): void {
  listers.set(module, lister);
}

export async function attachmentsOfRequest(db: Kysely<DB>, orgId: string, requestId: string): Promise<RequestAttachment[]> {
  return (await Promise.all([...listers.values()].map((list) => list(db, orgId, requestId)))).flat();
}
