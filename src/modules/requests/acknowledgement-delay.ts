import type { Channel } from "../frameworks/channels.ts";

/**
 * Services Publics+ promises an acknowledgement within a week for an electronic request (e-mail, web form)
 * and within two weeks for a letter; counter and phone requests are answered on the spot and have none.
 * Counted in calendar days from the day of reception, as the framework words it (« sous une semaine »).
 */
export const ACKNOWLEDGEMENT_DAYS: Partial<Record<Channel, number>> = { email: 7, web: 7, letter: 14 };

/** The channels whose requests are owed an acknowledgement: the denominator of the in-time share. */
export const ACKNOWLEDGED_CHANNELS = Object.keys(ACKNOWLEDGEMENT_DAYS) as Channel[];

export function owesAcknowledgement(channel: string): boolean {
  return channel in ACKNOWLEDGEMENT_DAYS;
}

const dayNumber = (iso: string) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000;

/** Whether an acknowledgement sent on `sentOn` for a request received on `receivedOn` kept its delay. */
export function acknowledgedInTime(channel: Channel, receivedOn: string, sentOn: string): boolean {
  const limit = ACKNOWLEDGEMENT_DAYS[channel];
  return limit !== undefined && dayNumber(sentOn) - dayNumber(receivedOn) <= limit;
}
