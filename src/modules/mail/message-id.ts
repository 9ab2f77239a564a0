/** The domain of the sender's address ("Vigie <no-reply@mairie.fr>" → "mairie.fr"), "localhost" if none. */
export function senderDomain(from: string): string {
  const address = /<([^<>]*)>\s*$/.exec(from)?.[1] ?? from;
  const domain = address
    .slice(address.lastIndexOf("@") + 1)
    .trim()
    .toLowerCase();
  return address.includes("@") && /^[a-z0-9.-]+$/.test(domain) ? domain : "localhost";
}

/**
 * The Message-ID of an outbox row. Derived from the row, not drawn at random: if a worker dies
 * between handing the message to the SMTP server and recording it as sent, the second sending
 * carries the same Message-ID, which mail systems and people can recognise as the same message.
 */
export function messageIdFor(outboxId: string, from: string): string {
  return `<${outboxId}@${senderDomain(from)}>`;
}
