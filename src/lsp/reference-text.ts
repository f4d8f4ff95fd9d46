// The language reference's texts (lang/attribute-syntax.ts) as the editor shows them: its
// citations of internal design notes ("(DOMAIN §6)") are for bkp's developers, not users.
export function referenceText(s: string): string {
  return s.replace(/\s*\((?:see )?DOMAIN §[^)]*\)/g, "").replace(/\s*DOMAIN §[\d.]+/g, "");
}
