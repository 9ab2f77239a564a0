/** Work done a bounded batch at a time: long lists written in several statements, backlogs emptied in several. */

/** `rows` cut into lists of at most `size`, in order (none empty). */
export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Runs `step` — one statement taking at most `size` rows of a backlog — until a step takes fewer: the
 * backlog is empty, without one huge transaction however long it grew. Returns how many rows in all.
 */
export async function drain(size: number, step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step();
    total += n;
    if (n < size) return total;
  }
}
