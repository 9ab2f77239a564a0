/**
 * SIRET: 14 digits, SIREN (9) + establishment number (5), checked with the Luhn key.
 * La Poste's establishments (SIREN 356 000 000) use another rule: the digits add up to a multiple of 5.
 */
export function normaliseSiret(input: string): string {
  return input.replace(/[\s.]/g, "");
}

export function isValidSiret(siret: string): boolean {
  if (!/^\d{14}$/.test(siret)) return false;
  if (siret.startsWith("356000000")) {
    const sum = [...siret].reduce((s, d) => s + Number(d), 0);
    return sum % 5 === 0;
  }
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let digit = Number(siret[13 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
