// Building blocks for the rules' examples: a vault and a policy most examples share.
export const VAULT = `vault "prod" {
  path "vault"
  redundancy GRS
}
`;

export const POLICY = `policy "daily" {
  schedule daily at 02:30
  timezone "Asia/Tokyo"
  retain daily 30 days
}
`;

/** A VM block with the given attributes and an os disk. */
export function vm(name: string, attrs: string, disks = `  disk "os" { role os size 64 GB used 20 GB }`): string {
  return `vm "${name}" {\n${attrs.trim().split("\n").map((l) => `  ${l.trim()}`).join("\n")}\n  policy "daily"\n  vault "prod"\n${disks}\n}\n`;
}
