// Part of `npm test`: installs the Debian tools some tests drive (tmux for the terminal UI,
// qemu-utils for VHD images) when they are missing and this machine can (root + apt-get).
// Elsewhere it says which tests will skip; it never fails the run.
import { spawnSync } from "node:child_process";

const TOOLS = [
  { bin: "tmux", pkg: "tmux", for: "the end-to-end test of bkp ui" },
  { bin: "qemu-img", pkg: "qemu-utils", for: "the VHD image tests" },
  { bin: "nvim", pkg: "neovim", for: "the end-to-end test of bkp lsp with Neovim's LSP client" },
  { bin: "mkfs.xfs", pkg: "xfsprogs", for: "the instant-restore snapshot test on XFS with reflinks" },
  { bin: "filefrag", pkg: "e2fsprogs", for: "the extent-comparison test on XFS (and the engine's extent-compare change detection)" },
  { bin: "script", pkg: "bsdutils", for: "the test of --quiet on a terminal (no progress bars)" },
];

const has = (bin) => spawnSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" }).status === 0;
const missing = TOOLS.filter((t) => !has(t.bin));
if (missing.length) {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (root && has("apt-get")) {
    const pkgs = missing.map((t) => t.pkg);
    console.log(`ensure-tools: installing ${pkgs.join(", ")} (apt-get)`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...pkgs], { stdio: "inherit", env });
  }
  for (const t of TOOLS.filter((t) => !has(t.bin))) console.log(`ensure-tools: ${t.bin} is not available; ${t.for} will be skipped`);
}
