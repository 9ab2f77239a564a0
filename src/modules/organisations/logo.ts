/**
 * What an organisation's logo may be. Raster images only: an SVG is a document that can carry script,
 * and a logo is served on the public's pages. The type is read from the file's first bytes, never from
 * its name or the browser's claim, so a renamed HTML file is refused.
 */
export const MAX_LOGO_BYTES = 200 * 1024;

export type LogoType = "image/png" | "image/jpeg" | "image/webp";

export function sniffLogoType(data: Buffer): LogoType | undefined {
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "image/jpeg";
  if (data.length >= 12 && data.toString("latin1", 0, 4) === "RIFF" && data.toString("latin1", 8, 12) === "WEBP") return "image/webp";
  return undefined;
}
