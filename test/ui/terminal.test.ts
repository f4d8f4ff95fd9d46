// The alternate screen is left however the session ends: normally, on a signal, on a crash.
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { enterAlternateScreen, ENTER_ALTERNATE_SCREEN, LEAVE_ALTERNATE_SCREEN } from "../../src/ui/terminal.js";

function fakeProcess() {
  const p = new EventEmitter() as EventEmitter & { exitCode?: number; stderrText: string };
  p.stderrText = "";
  Object.assign(p, {
    stderr: { write: (t: string) => (p.stderrText += t) },
    exit: (code: number) => {
      p.exitCode = code;
    },
  });
  return p;
}

function screen() {
  const out: string[] = [];
  const proc = fakeProcess();
  const s = enterAlternateScreen({ write: (t: string) => out.push(t) }, proc as unknown as NodeJS.Process);
  return { out, proc, s };
}

describe("alternate screen", () => {
  it("is entered at once and left once, however often leave is called", () => {
    const { out, s } = screen();
    expect(out).toEqual([ENTER_ALTERNATE_SCREEN]);
    s.leave();
    s.leave();
    expect(out).toEqual([ENTER_ALTERNATE_SCREEN, LEAVE_ALTERNATE_SCREEN]);
    // The sequences: xterm's alternate screen (1049), cursor shown again when leaving.
    expect(LEAVE_ALTERNATE_SCREEN).toContain("\u001b[?1049l");
    expect(LEAVE_ALTERNATE_SCREEN).toContain("\u001b[?25h");
  });

  it("is left when the process exits, is killed or crashes", () => {
    for (const event of ["exit", "SIGTERM", "SIGINT", "SIGHUP", "uncaughtException"]) {
      const { out, proc } = screen();
      proc.emit(event, event === "uncaughtException" ? new Error("boom") : event);
      expect(out.at(-1), event).toBe(LEAVE_ALTERNATE_SCREEN);
      if (event === "SIGTERM") expect(proc.exitCode).toBe(143);
      if (event === "SIGINT") expect(proc.exitCode).toBe(130);
      if (event === "uncaughtException") {
        expect(proc.exitCode).toBe(2);
        expect(proc.stderrText).toContain("bkp ui: internal error: Error: boom");
      }
    }
  });

  it("stops listening once left", () => {
    const { proc, s } = screen();
    s.leave();
    for (const e of ["exit", "SIGTERM", "SIGINT", "SIGHUP", "uncaughtException", "unhandledRejection"]) expect(proc.listenerCount(e), e).toBe(0);
  });
});
