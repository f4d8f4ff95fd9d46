// The shape of a command module: thin — parse flags, call src/, print.
import type { Io } from "./io.js";

export interface Command {
  /** The full --help text. */
  help: string;
  run(argv: string[], io: Io): Promise<number>;
}
