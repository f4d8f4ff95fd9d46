// DOMAIN §2: the Linux script framework runs a pre/post script only if it is a file owned by
// the user running backups and not writable by others (the agent wants mode 700, root-owned).
// One implementation, used by the linter (to warn) and by the engine (to refuse to run it).
import { statSync } from "node:fs";

/** Why the script at `path` would not run, or undefined if it would. */
export function scriptProblem(path: string, uid: number | undefined): string | undefined {
  let st;
  try {
    st = statSync(path);
  } catch {
    return "does not exist";
  }
  if (!st.isFile()) return "is not a file";
  if (uid !== undefined && st.uid !== uid) return `is owned by uid ${st.uid}, not by the user running backups (uid ${uid})`;
  if (st.mode & 0o022) return `is writable by ${st.mode & 0o002 ? "everyone" : "its group"} (mode ${(st.mode & 0o777).toString(8)})`;
  if (!(st.mode & 0o100)) return `is not executable (mode ${(st.mode & 0o777).toString(8)})`;
  return undefined;
}

/** The current user's uid, where the platform has one. */
export function currentUid(): number | undefined {
  return typeof process.getuid === "function" ? process.getuid() : undefined;
}
