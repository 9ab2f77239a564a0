import {
  closureSpecification,
  type OpeningHoursSpecification,
  openingHoursSpecification,
  typicalWeekFrom,
} from "../opening-hours/opening-hours.service.ts";
import type { PublishedResults } from "./publication.service.ts";

/**
 * The organisation as schema.org sees it (GovernmentOffice with OpeningHoursSpecification), embedded in
 * the public page as JSON-LD and given by the public JSON API. Pure.
 */
export function publicInfoJsonLd(results: Pick<PublishedResults, "org" | "info" | "closures">, baseUrl: string): Record<string, unknown> {
  const { org, info } = results;
  const specs: OpeningHoursSpecification[] = info.week ? openingHoursSpecification(info.week, info.current?.validFrom) : [];
  const upcoming = info.upcoming ? typicalWeekFrom(info.upcoming.hours, info.upcoming.validFrom, org.holidayZone) : null;
  const special = [
    ...results.closures.map((c) => closureSpecification(c.day)),
    ...(upcoming && info.upcoming ? openingHoursSpecification(upcoming, info.upcoming.validFrom) : []),
  ];
  return {
    "@context": "https://schema.org",
    "@type": "GovernmentOffice",
    "@id": `${baseUrl}/public/organisations/${org.id}/results`,
    name: org.name,
    url: info.info.website ?? `${baseUrl}/public/organisations/${org.id}/results`,
    ...(org.address.city || org.address.street
      ? {
          address: {
            "@type": "PostalAddress",
            streetAddress: org.address.street ?? undefined,
            postalCode: org.address.postcode ?? undefined,
            addressLocality: org.address.city ?? undefined,
            addressCountry: "FR",
          },
        }
      : {}),
    ...(info.info.phone ? { telephone: info.info.phone } : {}),
    ...(info.info.email ? { email: info.info.email } : {}),
    ...(info.info.stepFree !== null
      ? { amenityFeature: { "@type": "LocationFeatureSpecification", name: "Accès en fauteuil roulant", value: info.info.stepFree } }
      : {}),
    ...(info.info.accessibility ? { accessibilitySummary: info.info.accessibility } : {}),
    ...(specs.length ? { openingHoursSpecification: specs } : {}),
    ...(special.length ? { specialOpeningHoursSpecification: special } : {}),
  };
}

/** The public JSON of practical information: OSM hours, their schema.org form, the announced change, closures, access, contacts. */
export function publicInfoJson(results: Pick<PublishedResults, "org" | "info" | "closures">, baseUrl: string) {
  const { org, info } = results;
  return {
    id: org.id,
    name: org.name,
    address: org.address,
    openingHours: info.current?.hours ?? null,
    openingHoursValidFrom: info.current?.validFrom ?? null,
    openingHoursNote: info.current?.note ?? null,
    upcomingOpeningHours: info.upcoming
      ? { validFrom: info.upcoming.validFrom, openingHours: info.upcoming.hours, note: info.upcoming.note }
      : null,
    closures: results.closures,
    accessibility: { stepFree: info.info.stepFree, description: info.info.accessibility },
    contacts: { phone: info.info.phone, email: info.info.email, website: info.info.website },
    jsonLd: publicInfoJsonLd(results, baseUrl),
  };
}
