/**
 * A contribution point: a place where one module lets others add to what it shows or computes (the
 * dashboard's indicator sources, the sections of the daily e-mail, the counts of the organisation
 * tree). The module that reads the point defines it; the others hand in their items through their
 * module description (`contributions`), and the assembly (src/app/modules.ts) adds them at start in
 * the order of the module list. So the reader never imports the modules that feed it, and the
 * import graph stays acyclic.
 *
 * Reading a point before the assembly ran is a bug that would show empty dashboards without a word:
 * `items()` throws instead.
 */
export interface ContributionPoint<T> {
  readonly name: string;
  /** What the modules handed in, in the order of the module list. */
  items(): readonly T[];
  /** One contribution, for a module description's `contributions`. */
  with(item: T): Contribution;
}

export interface Contribution {
  readonly point: string;
  add(): void;
}

const sealed = new Set<string>();
const points = new Map<string, { list: unknown[] }>();

export function contributionPoint<T>(name: string): ContributionPoint<T> {
  if (points.has(name)) throw new Error(`Point de contribution déclaré deux fois : ${name}`);
  const state = { list: [] as T[] };
  points.set(name, state);
  return {
    name,
    items() {
      if (!sealed.has(name))
        throw new Error(`Le point de contribution ${name} est lu avant l'assemblage des modules (src/app/modules.ts).`);
      return state.list;
    },
    with(item: T): Contribution {
      return {
        point: name,
        add() {
          if (!state.list.includes(item)) state.list.push(item);
        },
      };
    },
  };
}

/** Called by the assembly once every description's contributions are added: points can be read from now on. */
export function sealContributionPoints(): void {
  for (const name of points.keys()) sealed.add(name);
}
