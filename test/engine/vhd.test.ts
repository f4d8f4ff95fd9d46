// VHD fixed and dynamic images made by qemu-img: read as the virtual disk the VM sees
// (compared byte for byte with qemu-img's own raw conversion), and written back as a VHD
// that `qemu-img compare` finds identical.
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createVhdWriter, detectVhd, readVirtual, VhdError } from "../../src/engine/image/vhd.js";

const hasQemu = spawnSync("sh", ["-c", "command -v qemu-img && command -v qemu-io"], { stdio: "ignore" }).status === 0;
if (!hasQemu) console.warn("SKIPPED: VHD tests need qemu-img and qemu-io (Debian qemu-utils; npm test installs it when it can)");

function makeVhd(dir: string, subformat: "fixed" | "dynamic", size: string): string {
  const p = join(dir, `${subformat}.vhd`);
  execFileSync("qemu-img", ["create", "-q", "-f", "vpc", "-o", `subformat=${subformat}`, p, size]);
  // Data in a few places: a pattern at the start, text in the middle, one odd sector near the end.
  execFileSync("qemu-io", ["-f", "vpc", "-c", "write -P 0xab 0 1M", "-c", "write -P 0x5a 5M 4k", "-c", "write -P 0x01 9M 512", p], { stdio: "ignore" });
  return p;
}

function readAllVirtual(path: string) {
  const fd = openSync(path, "r");
  try {
    const layout = detectVhd(fd, statSync(path).size)!;
    const out = Buffer.alloc(layout.virtualSize);
    const blocks: boolean[] = [];
    const step = 1 << 20;
    for (let at = 0; at < layout.virtualSize; at += step) {
      const n = Math.min(step, layout.virtualSize - at);
      const buf = Buffer.alloc(n);
      blocks.push(readVirtual(fd, layout, buf, n, at));
      buf.copy(out, at);
    }
    return { layout, data: out, blocks };
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!hasQemu).each(["fixed", "dynamic"] as const)("a %s VHD", (subformat) => {
  const dir = mkdtempSync(join(tmpdir(), "bkp-vhd-"));
  const vhd = makeVhd(dir, subformat, "12M");
  const raw = join(dir, `${subformat}.raw`);
  execFileSync("qemu-img", ["convert", "-f", "vpc", "-O", "raw", vhd, raw]);

  it("reads as exactly the virtual disk qemu-img sees", () => {
    const { layout, data } = readAllVirtual(vhd);
    expect(layout.kind).toBe(subformat);
    const expected = readFileSync(raw);
    expect(layout.virtualSize).toBe(expected.length);
    expect(data.equals(expected)).toBe(true);
  });

  if (subformat === "dynamic") {
    it("reports unallocated blocks as holes", () => {
      const { blocks } = readAllVirtual(vhd);
      // Written at MiB 0, 5 and 9: 2-MiB blocks 0, 2 and 4 are allocated, so the 1-MiB reads
      // 0-1, 4-5 and 8-9 touch allocated blocks and every other read is a hole.
      expect(blocks.map((b, i) => (b ? i : -1)).filter((i) => i >= 0)).toEqual([0, 1, 4, 5, 8, 9]);
      expect(blocks[2]).toBe(false);
    });
  }

  it("writes back a VHD that qemu-img compare finds identical, of the same kind", () => {
    const { layout, data } = readAllVirtual(vhd);
    const out = join(dir, `restored-${subformat}.vhd`);
    const fd = openSync(out, "w");
    const w = createVhdWriter(fd, layout);
    const step = layout.kind === "dynamic" ? layout.blockSize : 1 << 20;
    for (let at = 0; at < layout.virtualSize; at += step) {
      const chunk = data.subarray(at, Math.min(at + step, layout.virtualSize));
      w.write(at, chunk.some((b) => b !== 0) ? Buffer.from(chunk) : undefined);
    }
    w.close();
    closeSync(fd);
    const cmp = spawnSync("qemu-img", ["compare", "-f", "vpc", "-F", "vpc", vhd, out], { encoding: "utf8" });
    expect(cmp.stdout + cmp.stderr).toContain("Images are identical");
    expect(cmp.status).toBe(0);
    const info = JSON.parse(execFileSync("qemu-img", ["info", "-f", "vpc", "--output=json", out], { encoding: "utf8" }));
    expect(info["virtual-size"]).toBe(layout.virtualSize);
    const reread = detectVhd(openSync(out, "r"), statSync(out).size)!;
    expect(reread.kind).toBe(subformat);
    if (subformat === "dynamic") expect(statSync(out).size).toBeLessThan(layout.virtualSize);
  });
});

describe("not a VHD, or a damaged one", () => {
  it("a raw image is not a VHD", () => {
    const dir = mkdtempSync(join(tmpdir(), "bkp-vhd-"));
    const p = join(dir, "a.raw");
    writeFileSync(p, Buffer.alloc(4096, 7));
    const fd = openSync(p, "r");
    expect(detectVhd(fd, 4096)).toBeUndefined();
    closeSync(fd);
  });

  it.skipIf(!hasQemu)("a flipped byte in the footer is reported, not read as garbage", () => {
    const dir = mkdtempSync(join(tmpdir(), "bkp-vhd-"));
    const p = join(dir, "x.vhd");
    execFileSync("qemu-img", ["create", "-q", "-f", "vpc", "-o", "subformat=fixed", p, "1M"]);
    const size = statSync(p).size;
    const fd = openSync(p, "r+");
    writeSync(fd, Buffer.from([0x42]), 0, 1, size - 512 + 40);
    expect(() => detectVhd(fd, size)).toThrow(VhdError);
    closeSync(fd);
  });
});
