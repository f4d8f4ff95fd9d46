// The session runs on the terminal's alternate screen (as less and vim do), so the shell's
// screen comes back as it was when the session ends — by q, by Ctrl-C, by a signal or by a
// crash: every way out goes through `leave`.
export const ENTER_ALTERNATE_SCREEN = "\u001b[?1049h\u001b[H\u001b[2J";
/** Shows the cursor again (Ink hides it) and returns to the main screen. */
export const LEAVE_ALTERNATE_SCREEN = "\u001b[?25h\u001b[?1049l";

export interface Screen {
  /** Back to the main screen; safe to call more than once. */
  leave(): void;
}

interface Output {
  write(text: string): unknown;
}

export function enterAlternateScreen(out: Output, proc: NodeJS.Process = process): Screen {
  out.write(ENTER_ALTERNATE_SCREEN);
  let left = false;
  const leave = () => {
    if (left) return;
    left = true;
    out.write(LEAVE_ALTERNATE_SCREEN);
  };
  const onExit = () => leave();
  const onCrash = (e: unknown) => {
    leave();
    proc.stderr.write(`bkp ui: internal error: ${(e as Error)?.stack ?? String(e)}\nThis is a bug in bkp; please report it with the command you ran.\n`);
    proc.exit(2);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    leave();
    proc.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as Record<string, number>)[signal]);
  };
  proc.on("exit", onExit);
  proc.on("uncaughtException", onCrash);
  proc.on("unhandledRejection", onCrash);
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) proc.on(s, onSignal);
  return {
    leave() {
      leave();
      proc.off("exit", onExit);
      proc.off("uncaughtException", onCrash);
      proc.off("unhandledRejection", onCrash);
      for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) proc.off(s, onSignal);
    },
  };
}
