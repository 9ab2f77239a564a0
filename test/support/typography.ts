/**
 * What a careful French editor would flag in a rendered page's visible text: a first of the month
 * without « er », digit groups without their space (« 11752 »), an ordinary space before « : ; ! ? % »
 * where French wants a no-break one, and « >= ». Returns each problem with its surroundings.
 */
export function typographyProblems(html: string, options: { spacing?: boolean } = {}): string[] {
  const text = html
    .replace(/<(script|style|svg|title)[\s\S]*?<\/\1>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replaceAll("&#39;", "'")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&")
    .replaceAll("&gt;", ">")
    .replaceAll("&lt;", "<");
  const problems: string[] = [];
  const rules: Array<[string, RegExp]> = [
    [
      "« 1 » au lieu de « 1er »",
      /(?<![\d,])1[ \u00a0](janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)/g,
    ],
    // Years and identifiers (« 2026-00012 ») aside, five digits or more in a row lack their thousands space.
    ["chiffres sans espace des milliers", /(?<![\d\-/.:#A-Za-z])\d{5,}(?![\d-])(?! [A-ZÉ])/g],
    // Ordinary spaces only: a tag boundary before a no-break space (« Nom<span>\u00a0: … ») is not one.
    ["espace ordinaire avant une ponctuation double", /\S +[:;!?%](?=\s|$)/g],
    ["« >= »", />=/g],
  ];
  // The spacing rule is opt-in until every page's labels (« Référentiel : ») go through format.ts.
  for (const [label, re] of options.spacing === false ? rules.filter(([l]) => !l.startsWith("espace")) : rules) {
    for (const m of text.matchAll(re)) {
      const at = m.index ?? 0;
      problems.push(`${label} : « ${text.slice(Math.max(0, at - 30), at + m[0].length + 10).replace(/\s+/g, " ")} »`);
    }
  }
  return problems;
}

/** A page's words with its no-break spaces made plain, for tests that check wording, not typography. */
export const plainSpaces = (text: string): string => text.replace(/[\u00a0\u202f]/g, " ");
