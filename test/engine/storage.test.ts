// The local-dir storage backend: atomic put, get, ranged read, list, delete, writers.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LocalDirStorage } from "../../src/engine/vault/storage.js";
import { filesUnder, tempDir } from "./helpers.js";

describe("LocalDirStorage", () => {
  it("puts atomically, reads, lists, deletes", async () => {
    const root = tempDir();
    const s = new LocalDirStorage(root);
    await s.put("a/b/c", Buffer.from("hello"));
    await s.put("a/d", [Buffer.from("he"), Buffer.from("llo")]);
    expect((await s.get("a/b/c")).toString()).toBe("hello");
    expect((await s.read("a/d", 1, 3)).toString()).toBe("ell");
    expect(await s.size("a/d")).toBe(5);
    expect(await s.size("a/zz")).toBeUndefined();
    expect(await s.list("a")).toEqual(["a/b/c", "a/d"]);
    expect(await s.list("nothing")).toEqual([]);
    await s.put("a/d", Buffer.from("replaced"));
    expect((await s.get("a/d")).toString()).toBe("replaced");
    await s.delete("a/d");
    await s.delete("a/d");
    expect(await s.list("a")).toEqual(["a/b/c"]);
    await expect(s.get("a/d")).rejects.toMatchObject({ code: "ENOENT" });
    expect(() => s.createWriter("../escape")).toThrow();
  });

  it("a writer's object is invisible until committed; aborted and leftover temp files are removed", async () => {
    const root = tempDir();
    const s = new LocalDirStorage(root);
    const w = s.createWriter("packs/x");
    w.write(Buffer.from("part1"));
    w.write(Buffer.from("part2"));
    expect(w.size).toBe(10);
    expect(await s.list("packs")).toEqual([]);
    expect(filesUnder(root)).toHaveLength(1); // the temp file
    await w.commit();
    expect((await s.get("packs/x")).toString()).toBe("part1part2");
    const w2 = s.createWriter("packs/y");
    w2.write(Buffer.from("zzz"));
    await w2.abort();
    expect(filesUnder(root)).toEqual(["packs/x"]);
    // A crashed writer's temp file is swept by removeTemporaries.
    fs.writeFileSync(path.join(root, "packs", "z.tmp-123-abcd"), "junk");
    expect(await s.list("packs")).toEqual(["packs/x"]);
    expect(await s.removeTemporaries()).toBe(1);
    expect(filesUnder(root)).toEqual(["packs/x"]);
  });
});
