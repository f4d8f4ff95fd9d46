import { exportKey, importKey, keyInfo, rotateKey } from "../../src/engine/vault/key-admin.js";
import type { Vault } from "../../src/model/model.js";
import { parse, UsageError } from "../args.js";
import { policyFiles } from "../inputs.js";
import type { Command } from "../command.js";
import { engineVault, exitCodeForError, machineKeyFile, nowFrom, printEngineError } from "./engine-common.js";
import { loadForAnalysis } from "./plan-common.js";

const HELP = `Usage: bkp key show [--vault NAME] [--json] FILE...
       bkp key export --vault NAME --to KEYFILE FILE...
       bkp key import --vault NAME --from KEYFILE FILE...
       bkp key rotate --vault NAME --to SECRET FILE...

Every vault's data is encrypted with its own random key, kept in <vault>/keys/vault.key wrapped
by a secret: the machine secret (~/.config/bkp/machine.key, or BKP_MACHINE_SECRET) for
\`encryption platform-key\` vaults, the vault's customer key file for \`encryption customer-key\`.
Without that secret the vault cannot be read by anyone: keep a copy somewhere safe, away from
the vault (see docs/vault-format.md, "Keys").

  show     where each vault's key is, what wraps it, and whether it opens here
  export   write the vault key itself to KEYFILE (mode 0600): a recovery key that opens the
           vault without the machine secret; store it like a password
  import   wrap the vault key from a recovery key (bkp key export) with this machine's secret
           (or the customer key): moves a vault to a new machine
  rotate   wrap the vault key with a new secret: SECRET is the new machine secret (created
           when missing; then set BKP_MACHINE_SECRET to it) or the new customer key file
           (then point the vault's \`encryption customer-key\` at it). The old secret no longer
           opens the vault. No data is rewritten: only keys/vault.key changes.

Options:
  --vault NAME   the vault (may be left out when the files define one vault with a path)
  --to FILE      export: the recovery key to write; rotate: the new secret
  --from FILE    import: the recovery key to read
  --json         show: print an array of {vault, keyFile, kind, wrappedBy, createdAt, opens, problem?}
  -h, --help     show this help

Exit codes: 0 ok, 1 a key does not open its vault, 2 usage error or unreadable file.
`;

export const command: Command = {
  help: HELP,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (!["show", "export", "import", "rotate"].includes(sub ?? "")) throw new UsageError(`bkp key takes show, export, import or rotate${sub ? `, not '${sub}'` : ""}`);
    const { values, positionals } = parse(rest, { vault: { type: "string" }, to: { type: "string" }, from: { type: "string" }, json: { type: "boolean" } });
    const loaded = loadForAnalysis(io, policyFiles(positionals, "key"));
    if (!loaded.ok) return loaded.code;
    const withPath = [...loaded.model.vaults.values()].filter((v) => v.path || v.blob);
    const pick = (): Vault => {
      if (values.vault) {
        const v = loaded.model.vaults.get(values.vault);
        if (!v) throw new UsageError(`no vault named "${values.vault}" in these policy files`);
        return v;
      }
      if (withPath.length === 1) return withPath[0];
      throw new UsageError(`name the vault: --vault ${withPath.map((v) => v.name).join("|") || "NAME"}`);
    };
    const secretFile = machineKeyFile(io);
    try {
      if (sub === "show") {
        const infos = await Promise.all((values.vault ? [pick()] : withPath).map((v) => keyInfo(engineVault(v), secretFile)));
        if (values.json) io.stdout(JSON.stringify(infos, null, 2) + "\n");
        else for (const k of infos) io.stdout(`vault "${k.vault}": key ${k.keyFile}, ${k.kind}, wrapped by ${k.wrappedBy}, created ${k.createdAt}: ${k.opens ? "opens here" : `DOES NOT OPEN: ${k.problem}`}\n`);
        return infos.every((k) => k.opens) ? 0 : 1;
      }
      const v = engineVault(pick());
      if (sub === "export") {
        if (!values.to) throw new UsageError("bkp key export needs --to KEYFILE");
        await exportKey(v, values.to, secretFile);
        io.stdout(`wrote the key of vault "${v.name}" to ${values.to}: it opens the vault without any other secret — keep it safe, away from the vault\n`);
      } else if (sub === "import") {
        if (!values.from) throw new UsageError("bkp key import needs --from KEYFILE");
        await importKey(v, values.from, nowFrom(io), secretFile);
        io.stdout(`vault "${v.name}": its key is now wrapped by ${v.encryption.kind === "customer-key" ? v.encryption.keyFile : (secretFile ?? "the machine secret")}\n`);
      } else {
        if (!values.to) throw new UsageError("bkp key rotate needs --to SECRET (the new machine secret or customer key file)");
        await rotateKey(v, values.to, nowFrom(io), secretFile);
        const next = v.encryption.kind === "customer-key" ? `point encryption customer-key at ${values.to}` : `set BKP_MACHINE_SECRET=${values.to}`;
        io.stdout(`vault "${v.name}": its key is now wrapped by ${values.to}; the old secret no longer opens it. Now ${next}.\n`);
      }
      return 0;
    } catch (e) {
      printEngineError(io, "key", e, "");
      return exitCodeForError(e);
    }
  },
};
