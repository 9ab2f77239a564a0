/**
 * The rows of a scope's grouped read, split by organisation, for a batch source to turn each group into
 * figures (Map.groupBy arrives with Node 21; Vigie runs on Node 20).
 */
export function byOrg<T>(rows: Iterable<T>, orgOf: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const key = orgOf(row);
    const list = out.get(key);
    if (list) list.push(row);
    else out.set(key, [row]);
  }
  return out;
}

/** Applies `valuesOf` to each organisation's group. */
export function mapGroups<T, V>(groups: Map<string, T>, valuesOf: (group: T, orgId: string) => V): Map<string, V> {
  return new Map([...groups].map(([orgId, group]) => [orgId, valuesOf(group, orgId)]));
}
