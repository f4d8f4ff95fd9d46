// `bkp ui`: open the policy files as a session and run it full-screen until the user quits.
// Files that cannot be read or do not check are reported like `bkp check` does, before the
// screen is taken over.
import { render } from "ink";
import { codeFrame, summary, type Style } from "../lang/code-frame.js";
import type { Diagnostic } from "../lang/diagnostics.js";
import { readSource } from "../lang/source.js";
import type { AnalysisOptions } from "./analysis.js";
import { App } from "./app.js";
import { Session } from "./session.js";
import { enterAlternateScreen } from "./terminal.js";

export interface RunOutput {
  stderr(text: string): void;
  style: Style;
}

function report(out: RunOutput, diags: Diagnostic[], texts: Map<string, string>, files: number): void {
  for (const d of diags) out.stderr(codeFrame(d, texts.get(d.file)?.split(/\r?\n/), out.style) + "\n\n");
  out.stderr(summary(diags, files, out.style) + "\n");
}

export async function runUi(paths: string[], opts: AnalysisOptions, out: RunOutput): Promise<number> {
  const inputs: { path: string; text: string }[] = [];
  const unreadable: Diagnostic[] = [];
  for (const p of paths) {
    const r = readSource(p);
    if (r.ok) inputs.push(r.source);
    else unreadable.push(r.diagnostic);
  }
  const texts = new Map(inputs.map((i) => [i.path, i.text]));
  if (unreadable.length) {
    report(out, unreadable, texts, paths.length);
    return 2;
  }
  const opened = Session.open(inputs, opts, true);
  if (!opened.ok) {
    report(out, opened.diagnostics, texts, paths.length);
    out.stderr("bkp ui: fix the errors above first (bkp check shows the same), then run it again\n");
    return 1;
  }
  const screen = enterAlternateScreen(process.stdout);
  try {
    const ink = render(<App session={opened.session} />, { exitOnCtrlC: false, patchConsole: true, maxFps: 60 });
    await ink.waitUntilExit();
    return 0;
  } catch (e) {
    screen.leave();
    out.stderr(`bkp ui: internal error: ${(e as Error)?.stack ?? String(e)}\nThis is a bug in bkp; please report it with the command you ran.\n`);
    return 2;
  } finally {
    screen.leave();
  }
}
