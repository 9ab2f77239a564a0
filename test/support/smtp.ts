import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type AddressObject, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** A message as the listener received it: the SMTP envelope and the parsed headers and body. */
export interface ReceivedMessage {
  /** MAIL FROM of the envelope. */
  envelopeFrom: string;
  /** RCPT TO of the envelope, in order. */
  envelopeTo: string[];
  /** The From header, as "Name <address>". */
  from: string;
  /** Addresses of the To header. */
  to: string[];
  subject: string;
  text: string;
  messageId: string;
  /** The user name the client logged in with, if it did. */
  user: string | undefined;
  raw: string;
}

export interface SmtpListener {
  /** smtp://127.0.0.1:<port>, to give to the code under test as SMTP_URL. */
  url: string;
  messages: ReceivedMessage[];
  /** While true, every RCPT TO is refused with 550, as a server refusing a recipient does. */
  rejectRecipients: boolean;
  /** Resolves with the first message (already received or to come) that matches, or fails after timeoutMs. */
  waitFor(predicate: (message: ReceivedMessage) => boolean, timeoutMs?: number): Promise<ReceivedMessage>;
  close(): Promise<void>;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((o) => o.value.map((a) => a.address ?? ""));
}

/** A real SMTP server on loopback, on a free port: what the mail code talks to in tests. */
export async function startSmtpListener(options: { rejectRecipients?: boolean } = {}): Promise<SmtpListener> {
  const messages: ReceivedMessage[] = [];
  const state = { rejectRecipients: options.rejectRecipients ?? false };
  const server = new SMTPServer({
    // Plain text on loopback: no certificate to trust, and credentials in SMTP_URL are accepted as given.
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    closeTimeout: 1_000,
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? "" });
    },
    onRcptTo(_address, _session, callback) {
      if (!state.rejectRecipients) return callback();
      callback(Object.assign(new Error("Destinataire refusé"), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", callback);
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (mail) => {
            const envelopeFrom = session.envelope.mailFrom;
            messages.push({
              envelopeFrom: envelopeFrom ? envelopeFrom.address : "",
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              from: mail.from?.text ?? "",
              to: addresses(mail.to),
              subject: mail.subject ?? "",
              text: mail.text ?? "",
              messageId: mail.messageId ?? "",
              user: typeof session.user === "string" ? session.user : undefined,
              raw: raw.toString("utf8"),
            });
            callback();
          },
          (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo; // a TCP listener's address is always an AddressInfo

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get rejectRecipients() {
      return state.rejectRecipients;
    },
    set rejectRecipients(value: boolean) {
      state.rejectRecipients = value;
    },
    async waitFor(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`aucun message attendu reçu en ${timeoutMs} ms (${messages.length} reçu(s))`);
        await sleep(10);
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const start = startSmtpListener;
