// The one Storage contract, run against both backends: a directory and Azure Blob Storage
// (the Azurite emulator, started for this file). A vault behaves the same on either.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalDirStorage, type Storage } from "../../src/engine/vault/storage.js";
import { blobUrl as parseBlobUrl, openBlobStorage } from "../../src/engine/vault/blob-location.js";
import { startAzurite, DEV_ACCOUNT, type Azurite } from "../helpers/azurite.js";

let azurite: Azurite;
const dirs: string[] = [];

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const backends: [string, () => Promise<Storage>][] = [
  [
    "directory",
    async () => {
      const d = mkdtempSync(join(tmpdir(), "bkp-store-"));
      dirs.push(d);
      return new LocalDirStorage(d);
    },
  ],
  ["Azure Blob Storage (Azurite)", async () => openBlobStorage(await azurite.container("vaults/prod"), azurite.env)],
];

const code = (e: unknown) => (e as { code?: string }).code;

describe.each(backends)("Storage contract: %s", (_name, make) => {
  it("puts and gets objects whole, by name", async () => {
    const s = await make();
    await s.put("config", Buffer.from("hello"));
    await s.put("points/vm/a", [Buffer.from("ab"), Buffer.from("cd")]);
    expect((await s.get("config")).toString()).toBe("hello");
    expect((await s.get("points/vm/a")).toString()).toBe("abcd");
    expect(await s.size("points/vm/a")).toBe(4);
  });

  it("reports a missing object as ENOENT and its size as undefined", async () => {
    const s = await make();
    await expect(s.get("nothing")).rejects.toSatisfy((e) => code(e) === "ENOENT");
    expect(await s.size("nothing")).toBeUndefined();
  });

  it("reads byte ranges, short at the end", async () => {
    const s = await make();
    const data = randomBytes(1000);
    await s.put("packs/p1", data);
    expect(Buffer.compare(await s.read("packs/p1", 10, 100), data.subarray(10, 110))).toBe(0);
    expect(Buffer.compare(await s.read("packs/p1", 950, 100), data.subarray(950))).toBe(0);
  });

  it("lists one folder's objects (nested too), sorted, nothing of other folders", async () => {
    const s = await make();
    await s.put("index/b", Buffer.from("1"));
    await s.put("index/a", Buffer.from("1"));
    await s.put("index/sub/c", Buffer.from("1"));
    await s.put("indexes-not/x", Buffer.from("1"));
    await s.put("packs/z", Buffer.from("1"));
    expect(await s.list("index")).toEqual(["index/a", "index/b", "index/sub/c"]);
    expect(await s.list("missing")).toEqual([]);
  });

  it("deletes, and deleting a missing object is no error", async () => {
    const s = await make();
    await s.put("maps/m", Buffer.from("x"));
    await s.delete("maps/m");
    await s.delete("maps/m");
    expect(await s.size("maps/m")).toBeUndefined();
  });

  it("replaces an object by default, but a create-only put never overwrites (EEXIST)", async () => {
    const s = await make();
    await s.put("jobs/1", Buffer.from("first"));
    await s.put("jobs/1", Buffer.from("second"));
    expect((await s.get("jobs/1")).toString()).toBe("second");
    await s.put("jobs/2", Buffer.from("mine"), { ifAbsent: true });
    await expect(s.put("jobs/2", Buffer.from("theirs"), { ifAbsent: true })).rejects.toSatisfy((e) => code(e) === "EEXIST");
    expect((await s.get("jobs/2")).toString()).toBe("mine");
  });

  it("of two writers racing to create one object, exactly one wins and its bytes are whole", async () => {
    const s = await make();
    const a = randomBytes(300_000);
    const b = randomBytes(300_000);
    const results = await Promise.allSettled([s.put("points/race", a, { ifAbsent: true }), s.put("points/race", b, { ifAbsent: true })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const got = await s.get("points/race");
    expect(Buffer.compare(got, results[0]!.status === "fulfilled" ? a : b)).toBe(0);
  });

  it("streams a large object through a writer: invisible until committed, whole after", async () => {
    const s = await make();
    const w = s.createWriter("packs/big", { ifAbsent: true });
    const parts: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      const p = randomBytes(300_000 + i);
      parts.push(p);
      w.write(p);
      await w.drain();
    }
    expect(await s.list("packs")).toEqual([]);
    await w.commit();
    expect(w.size).toBe(parts.reduce((n, p) => n + p.length, 0));
    expect(Buffer.compare(await s.get("packs/big"), Buffer.concat(parts))).toBe(0);
  });

  it("an aborted writer leaves nothing a reader can see", async () => {
    const s = await make();
    const w = s.createWriter("packs/gone");
    w.write(randomBytes(5_000_000));
    await w.abort();
    await s.removeTemporaries();
    expect(await s.list("packs")).toEqual([]);
    expect(await s.size("packs/gone")).toBeUndefined();
  });

  it("a create-only writer does not replace an object another writer committed", async () => {
    const s = await make();
    await s.put("packs/taken", Buffer.from("theirs"));
    const w = s.createWriter("packs/taken", { ifAbsent: true });
    w.write(Buffer.from("mine"));
    await expect(w.commit()).rejects.toSatisfy((e) => code(e) === "EEXIST");
    expect((await s.get("packs/taken")).toString()).toBe("theirs");
  });
});

describe("blob vault URLs and credentials", () => {
  it("parses account, container and folder from both URL styles", () => {
    expect(parseBlobUrl("https://acct1.blob.core.windows.net/backups/team/a")).toMatchObject({ account: "acct1", container: "backups", prefix: "team/a", serviceUrl: "https://acct1.blob.core.windows.net" });
    expect(parseBlobUrl("http://127.0.0.1:10000/devstoreaccount1/vaults")).toMatchObject({ account: DEV_ACCOUNT, container: "vaults", prefix: "", serviceUrl: "http://127.0.0.1:10000/devstoreaccount1" });
    const sas = parseBlobUrl("https://acct1.blob.core.windows.net/backups?sv=2024&sig=secret");
    expect(sas.sas).toBe("sv=2024&sig=secret");
    expect(sas.display).not.toContain("secret");
  });

  it("refuses URLs that name no container, or an invalid one, with BKP5083", () => {
    expect(() => parseBlobUrl("https://acct1.blob.core.windows.net/")).toThrow(/names no container.*write blob/);
    expect(() => parseBlobUrl("https://acct1.blob.core.windows.net/Bad_Name")).toThrow(/not a valid container name/);
    expect(() => parseBlobUrl("ftp://x/y")).toThrow(/https:\/\//);
  });

  it("without any credential, says everything it tried", () => {
    expect(() => openBlobStorage("https://acct1.blob.core.windows.net/backups", {})).toThrow(/SAS token in the URL.*AZURE_STORAGE_CONNECTION_STRING.*AZURE_STORAGE_ACCOUNT/);
  });

  it("a wrong account key is a clear BKP5080, not a stack trace", async () => {
    const url = await azurite.container();
    const s = openBlobStorage(url, { AZURE_STORAGE_ACCOUNT: DEV_ACCOUNT, AZURE_STORAGE_KEY: Buffer.from("not the key").toString("base64") });
    await expect(s.put("config", Buffer.from("x"))).rejects.toMatchObject({ code: "BKP5080", message: expect.stringContaining("refused the credential") });
  });

  it("a missing container is BKP5081 and says how to create it", async () => {
    const s = openBlobStorage(`${azurite.serviceUrl}/no-such-container`, azurite.env);
    await expect(s.put("config", Buffer.from("x"))).rejects.toMatchObject({ code: "BKP5081" });
  });

  it("an unreachable endpoint is BKP5082 after the retries", async () => {
    const s = openBlobStorage(`http://127.0.0.1:9/${DEV_ACCOUNT}/vaults`, azurite.env);
    await expect(s.get("config")).rejects.toMatchObject({ code: "BKP5082" });
  }, 30_000);
});
