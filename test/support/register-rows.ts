/** A register of `count` requests as a town hall's spreadsheet holds it (header on line 1), for the crash tests. */
export function registerRows(count: number): Array<{ line: number; cells: string[] }> {
  const rows = [{ line: 1, cells: ["Date de réception", "Type", "Canal", "Objet", "Nom", "Courriel"] }];
  for (let i = 0; i < count; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    rows.push({ line: i + 2, cells: [`${day}/03/2026`, "Demande", "Courrier", `Demande numéro ${i + 1}`, `Usager ${i + 1}`, ""] });
  }
  return rows;
}
