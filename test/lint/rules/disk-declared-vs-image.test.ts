import { writeFileSync } from "node:fs";
import { join } from "node:path";
import crypto from "node:crypto";
import { expect, it } from "vitest";
import { diskDeclaredVsImage as rule } from "../../../src/lint/rules/disk-declared-vs-image.js";
import { describeRule, exampleDir, findings } from "../harness.js";

describeRule(rule, () => {
  it("an image larger than size is reported on size; a used figure far from the image's data on used", () => {
    const f = findings(rule, rule.examples.bad, { dir: exampleDir(rule) });
    expect(f.map((d) => [d.range.start.line, d.message])).toEqual([
      [expect.any(Number), 'disk "os" of vm "a" declares size 1.00 GB but its image is 2.00 GB'],
      [expect.any(Number), 'disk "os" of vm "a" declares used 900 MB but its image holds 0 B of nonzero data (its allocated blocks), off by more than 20%'],
    ]);
    expect(f[0].hint).toBe("write size 2.00 GB or more: a disk holds no more than its provisioned size");
  });

  it("used within 20% of the image's allocated data passes; further off fires", () => {
    const dir = exampleDir(rule);
    writeFileSync(join(dir, "data.img"), crypto.randomBytes(1_000_000));
    const text = (used: string) => rule.examples.good.replace('image "os.img" }', `image "os.img" }\n  disk "data" { role data size 1 GB used ${used} image "data.img" }`);
    // 1,000,000 bytes written take 1,003,520 bytes of 4 KiB blocks on most file systems.
    expect(findings(rule, text("1.1 MB"), { dir })).toEqual([]);
    expect(findings(rule, text("0.9 MB"), { dir })).toEqual([]);
    expect(findings(rule, text("1.3 MB"), { dir }).map((d) => d.message)).toEqual([expect.stringContaining('disk "data" of vm "a" declares used 1.30 MB but its image holds 1.00 MB of nonzero data')]);
  });
});
