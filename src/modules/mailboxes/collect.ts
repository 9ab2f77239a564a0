import type { ImapFlow } from "imapflow";
import type { Kysely } from "kysely";
import type { AddressObject, ParsedMail } from "mailparser";
import sanitizeHtml from "sanitize-html";
import type { DB } from "../../db/schema.ts";
import { localDay } from "../../kernel/time.ts";
import { notify } from "../alerts/alerts.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { addIncomingMessage, findRequestIdByNumber, registerMailedRequest } from "../requests/requests.service.ts";
import { classify, receiptNumberIn } from "./classify.ts";
import { imapClient, imapErrorText } from "./imap-connection.ts";
import { openSecret } from "./secret-box.ts";

/** Per file and per message: what the collector keeps of attachments (the rest is named in the request). */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS_TOTAL = 25 * 1024 * 1024;
/** UIDs fetched per round trip: a 10,000-message box is read in bounded memory. */
const CHUNK = 200;

export interface CollectResult {
  registered: number;
  joined: number;
  ignored: number;
  duplicates: number;
  error: string | null;
}

export interface CollectOptions {
  now?: Date;
  /** Stop after this many messages (the next run goes on). */
  limit?: number;
  /** Public address of the site, for the tracking link of the acknowledgement. */
  baseUrl?: string;
}

/**
 * Reads the new messages of one mailbox (UID above the last one done) and registers each in its own
 * transaction with its ledger row. A failure (server down, password changed) is recorded on the
 * mailbox for its page and returned, never thrown: the next run tries again.
 */
export async function collectMailbox(
  db: Kysely<DB>,
  orgId: string,
  mailboxId: string,
  options: CollectOptions = {},
): Promise<CollectResult> {
  const mdb = db;
  const result: CollectResult = { registered: 0, joined: 0, ignored: 0, duplicates: 0, error: null };
  const box = await mdb.selectFrom("mailboxes").selectAll().where("org_id", "=", orgId).where("id", "=", mailboxId).executeTakeFirst();
  if (!box) return result;
  const org = await getOrganisation(db, orgId);
  const started = options.now ?? new Date();
  let client: ImapFlow | undefined;
  try {
    client = imapClient({ ...box, secret: await openSecret(db, box.secret_enc) });
    client.on("error", () => {});
    await client.connect();
    const lock = await client.getMailboxLock(box.folder, { readOnly: true });
    try {
      const mailbox = client.mailbox;
      if (!mailbox) throw new Error("dossier non ouvert");
      const validity = String(mailbox.uidValidity);
      let lastUid = BigInt(box.last_uid);
      if (box.uid_validity !== validity) {
        // The server renumbered the folder: read it all again. The ledger's Message-IDs keep what was
        // registered from coming back twice; only messages without a Message-ID could.
        lastUid = 0n;
        await mdb
          .updateTable("mailboxes")
          .set({ uid_validity: validity, last_uid: 0 })
          .where("org_id", "=", orgId)
          .where("id", "=", mailboxId)
          .execute();
      }
      const uids = ((await client.search({ uid: `${lastUid + 1n}:*` }, { uid: true })) || [])
        .filter((u) => BigInt(u) > lastUid)
        .sort((a, b) => a - b);
      const todo = options.limit ? uids.slice(0, options.limit) : uids;
      for (let i = 0; i < todo.length; i += CHUNK) {
        const chunk = todo.slice(i, i + CHUNK);
        const fetched: Array<{ uid: number; internalDate: Date; source: Buffer }> = [];
        for await (const m of client.fetch(chunk.join(","), { uid: true, internalDate: true, source: true }, { uid: true })) {
          if (!m.source) continue;
          const internalDate = m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? started);
          fetched.push({ uid: m.uid, internalDate, source: m.source });
        }
        fetched.sort((a, b) => a.uid - b.uid);
        for (const m of fetched) {
          const outcome = await takeMessage(db, org, box.id, validity, m, options.baseUrl ?? "");
          result[outcome]++;
        }
      }
    } finally {
      lock.release();
    }
    await client.logout();
    await mdb
      .updateTable("mailboxes")
      .set({ last_run_at: started, last_success_at: started, last_error: null, failing_since: null })
      .where("org_id", "=", orgId)
      .where("id", "=", mailboxId)
      .execute();
  } catch (error) {
    client?.close();
    result.error = imapErrorText(error, box.folder);
    const reason = result.error;
    await db.transaction().execute(async (trx) => {
      const failing = await trx
        .updateTable("mailboxes")
        .set((eb) => ({
          last_run_at: started,
          last_error: reason,
          failing_since: eb.fn.coalesce("failing_since", eb.val(started)),
        }))
        .where("org_id", "=", orgId)
        .where("id", "=", mailboxId)
        .returning("failing_since")
        .executeTakeFirst();
      // One alert per failing streak: the key carries the instant it began, cleared by the next success.
      const since = failing?.failing_since;
      if (!since) return;
      await notify(trx, {
        orgId,
        kind: "import_failed",
        key: `mailbox:${mailboxId}:${new Date(since).toISOString()}`,
        subject: { type: "mailbox", id: mailboxId },
        title: `Relève de la boîte « ${box.label} » en échec`,
        text: `La boîte aux lettres « ${box.label} » ne peut plus être relevée : ${reason}`,
        link: `/organisations/${orgId}/mailboxes`,
      });
    });
  }
  return result;
}

type Outcome = "registered" | "joined" | "ignored" | "duplicates";

function firstAddress(a: AddressObject | AddressObject[] | undefined) {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((x) => x.value)[0];
}

/** The text of a message: its text part, else its HTML reduced to text (nothing of the HTML is ever rendered as such). */
export function messageText(parsed: Pick<ParsedMail, "text" | "html">, htmlOnly: boolean): string {
  // A message written only in HTML gets a text from mailparser that keeps image addresses (tracking
  // pixels): ours keeps the words only.
  if (!htmlOnly && parsed.text?.trim()) return parsed.text.trim();
  if (typeof parsed.html === "string") {
    const withBreaks = parsed.html.replace(/<\s*(br|\/p|\/div|\/li|\/tr|\/h\d)\b[^>]*>/gi, "\n");
    return sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {} })
      .replace(/&nbsp;/g, " ")
      .replace(/&amp;/g, "&")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/\n{3,}/g, "\n\n")
      .trim();
  }
  return "";
}

async function takeMessage(
  db: Kysely<DB>,
  org: { id: string; timeZone: string },
  mailboxId: string,
  validity: string,
  m: { uid: number; internalDate: Date; source: Buffer },
  baseUrl: string,
): Promise<Outcome> {
  const mdb = db;
  const orgId = org.id;
  // Loaded on the first message, not at start (issue #17, point 6): ~30 MB and ~0.2 s to load.
  const { simpleParser } = await import("mailparser");
  const parsed = await simpleParser(m.source, { skipImageLinks: true, skipTextToHtml: true });
  const from = firstAddress(parsed.from);
  const sender = from?.address?.toLowerCase() ?? null;
  const subject = (parsed.subject ?? "").trim();
  const messageId = parsed.messageId?.trim() || null;
  const ledger = (outcome: "registered" | "joined" | "ignored", reason: string | null, requestId: string | null) => ({
    org_id: orgId,
    mailbox_id: mailboxId,
    uid_validity: validity,
    uid: m.uid,
    message_id: outcome === "ignored" ? null : messageId,
    outcome,
    reason,
    request_id: requestId,
    sender,
    subject: subject.slice(0, 300),
    arrived_at: m.internalDate,
  });
  const advance = (trx: Kysely<DB>, counter: "registered_count" | "joined_count" | "ignored_count") =>
    trx
      .updateTable("mailboxes")
      .set((eb) => ({ [counter]: eb(counter, "+", 1), last_uid: m.uid }))
      .where("org_id", "=", orgId)
      .where("id", "=", mailboxId)
      .execute();
  const claim = async (trx: Kysely<DB>, row: ReturnType<typeof ledger>) =>
    (await trx
      .insertInto("mailbox_messages")
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .returning("uid")
      .executeTakeFirst()) !== undefined;
  const skip = async () => {
    // Already in the ledger (read before a crash, or the same Message-ID in another mailbox): only move on.
    await mdb
      .updateTable("mailboxes")
      .set({ last_uid: m.uid })
      .where("org_id", "=", orgId)
      .where("id", "=", mailboxId)
      .where("last_uid", "<", String(m.uid))
      .execute();
    return "duplicates" as const;
  };

  // The raw header lines: mailparser folds some headers (List-*) into objects of its own.
  const raw = new Map<string, string>();
  for (const l of parsed.headerLines) if (!raw.has(l.key)) raw.set(l.key, l.line.slice(l.line.indexOf(":") + 1).trim());
  const ignored = classify({ get: (name) => raw.get(name), from: sender ?? undefined, subject, contentType: raw.get("content-type") });
  if (ignored || !sender) {
    const done = await db.transaction().execute(async (trx) => {
      if (!(await claim(trx, ledger("ignored", ignored ?? "no-sender", null)))) return false;
      await advance(trx, "ignored_count");
      return true;
    });
    return done ? "ignored" : skip();
  }

  const body = messageText(parsed, (raw.get("content-type") ?? "").toLowerCase().startsWith("text/html"));
  // A reply: its In-Reply-To/References name a message of a request, or its subject the receipt number.
  const refs = [parsed.inReplyTo, ...(Array.isArray(parsed.references) ? parsed.references : parsed.references ? [parsed.references] : [])]
    .filter((r): r is string => typeof r === "string" && r.length > 0)
    .flatMap((r) => r.split(/\s+/));
  let requestId: string | undefined;
  if (refs.length) {
    const hit = await mdb
      .selectFrom("mailbox_messages")
      .select("request_id")
      .where("org_id", "=", orgId)
      .where("message_id", "in", refs)
      .where("request_id", "is not", null)
      .executeTakeFirst();
    requestId = hit?.request_id ?? undefined;
  }
  const number = receiptNumberIn(subject);
  if (!requestId && number) requestId = await findRequestIdByNumber(db, orgId, number);
  if (requestId) {
    const target = requestId;
    const done = await db.transaction().execute(async (trx) => {
      if (!(await claim(trx, ledger("joined", null, target)))) return false;
      await addIncomingMessage(trx, orgId, target, {
        from: from?.name ? `${from.name} <${sender}>` : sender,
        subject,
        body,
        receivedAt: m.internalDate,
      });
      await advance(trx, "joined_count");
      return true;
    });
    return done ? "joined" : skip();
  }

  const kept: Array<{ file_name: string; content_type: string; size: number; data: Buffer }> = [];
  const dropped: string[] = [];
  let total = 0;
  for (const a of parsed.attachments) {
    const name = (a.filename ?? "piece-jointe").slice(0, 200);
    if (a.size > MAX_ATTACHMENT_BYTES || total + a.size > MAX_ATTACHMENTS_TOTAL) {
      dropped.push(name);
      continue;
    }
    total += a.size;
    kept.push({ file_name: name, content_type: a.contentType || "application/octet-stream", size: a.size, data: a.content });
  }
  const note = dropped.length ? `\n\n[Pièces jointes trop volumineuses, non conservées : ${dropped.join(", ")}]` : "";
  const registered = await registerMailedRequest(
    db,
    orgId,
    {
      kind: "request",
      channel: "email",
      receivedOn: localDay(org.timeZone, m.internalDate),
      subject: (subject || "(sans objet)").slice(0, 300),
      body: `${body.slice(0, 20_000 - note.length - 1)}${note}`,
      requesterName: from?.name?.slice(0, 200) || undefined,
      requesterEmail: sender.length <= 254 ? sender : undefined,
      requesterPhone: undefined,
      requesterAddress: undefined,
      serviceId: undefined,
    },
    {
      source: "public",
      baseUrl,
      author: { accountId: null, label: `courriel reçu (${sender})`.slice(0, 200) },
      claim: (trx) => claim(trx, ledger("registered", null, null)),
      after: async (trx, r) => {
        const t = trx;
        await t
          .updateTable("mailbox_messages")
          .set({ request_id: r.request.id })
          .where("org_id", "=", orgId)
          .where("mailbox_id", "=", mailboxId)
          .where("uid_validity", "=", validity)
          .where("uid", "=", String(m.uid))
          .execute();
        for (const a of kept)
          await t
            .insertInto("mailbox_attachments")
            .values({ org_id: orgId, request_id: r.request.id, ...a })
            .execute();
        await advance(t, "registered_count");
      },
    },
  );
  return registered ? "registered" : skip();
}
