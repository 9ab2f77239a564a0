/** The organisation tree: kinds, their order, holiday zones and time zones. Pure. */
export const ORG_KINDS = ["network", "region", "department", "site", "service"] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export const ORG_KIND_LABELS: Record<OrgKind, string> = {
  network: "Réseau",
  region: "Région",
  department: "Département",
  site: "Site",
  service: "Service",
};

const RANK: Record<OrgKind, number> = { network: 0, region: 1, department: 2, site: 3, service: 4 };

/** A child sits strictly lower in the tree than its parent (a region may hold departments or sites directly). */
export function canContain(parent: OrgKind, child: OrgKind): boolean {
  return RANK[child] > RANK[parent];
}

export const HOLIDAY_ZONES = ["metropole", "alsace-moselle", "guadeloupe", "martinique", "guyane", "reunion", "mayotte"] as const;
export type HolidayZone = (typeof HOLIDAY_ZONES)[number];

export const HOLIDAY_ZONE_LABELS: Record<HolidayZone, string> = {
  metropole: "France métropolitaine",
  "alsace-moselle": "Alsace-Moselle",
  guadeloupe: "Guadeloupe",
  martinique: "Martinique",
  guyane: "Guyane",
  reunion: "La Réunion",
  mayotte: "Mayotte",
};

/** The time zones of France, offered first in forms; any IANA zone is accepted. */
export const FRENCH_TIME_ZONES: Record<string, string> = {
  "Europe/Paris": "Paris (métropole)",
  "America/Guadeloupe": "Guadeloupe",
  "America/Martinique": "Martinique",
  "America/Cayenne": "Guyane",
  "Indian/Reunion": "La Réunion",
  "Indian/Mayotte": "Mayotte",
  "America/Miquelon": "Saint-Pierre-et-Miquelon",
  "Pacific/Noumea": "Nouvelle-Calédonie",
  "Pacific/Tahiti": "Polynésie française",
  "Pacific/Wallis": "Wallis-et-Futuna",
};

const KNOWN_ZONES = new Set(Intl.supportedValuesOf("timeZone"));

export function isTimeZone(zone: string): boolean {
  // supportedValuesOf lists canonical names only; DateTimeFormat accepts the aliases too.
  if (KNOWN_ZONES.has(zone)) return true;
  try {
    new Intl.DateTimeFormat("fr-FR", { timeZone: zone });
    return zone.includes("/");
  } catch {
    return false;
  }
}

export interface Organisation {
  id: string;
  parentId: string | null;
  /** Ancestors from the root down to this organisation, itself included. */
  path: string[];
  kind: OrgKind;
  name: string;
  address: { street: string | null; postcode: string | null; city: string | null };
  siret: string | null;
  timeZone: string;
  holidayZone: HolidayZone;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Orders a flat list as a tree walk (parents before children, siblings by name) with each node's depth. */
export function asTree<T extends { id: string; parentId: string | null; name: string }>(nodes: T[]): Array<T & { depth: number }> {
  const ids = new Set(nodes.map((n) => n.id));
  const children = new Map<string | null, T[]>();
  for (const n of nodes) {
    const key = n.parentId !== null && ids.has(n.parentId) ? n.parentId : null;
    const list = children.get(key) ?? [];
    list.push(n);
    children.set(key, list);
  }
  const out: Array<T & { depth: number }> = [];
  const walk = (parent: string | null, depth: number) => {
    const list = (children.get(parent) ?? []).sort((a, b) => a.name.localeCompare(b.name, "fr"));
    for (const n of list) {
      out.push({ ...n, depth });
      walk(n.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}
