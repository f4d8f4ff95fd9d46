// The planning session's screen: tab bar, the current view (or a panel: help, explanation,
// diff), the edit bar and the status line, laid out for the terminal's size. Keys go through
// the key table (keymap.ts) to the state machine (ui-state.ts).
import { Box, useApp, useInput } from "ink";
import React, { useEffect, useRef, useState } from "react";
import { EditBar, StatusLine, statusLines, TabBar } from "./chrome.js";
import { CostsView } from "./costs-view.js";
import { DiffPanel } from "./diff-panel.js";
import { ExplainPanel } from "./explain-panel.js";
import { HelpPanel } from "./help-panel.js";
import { actionsFor } from "./keymap.js";
import { OverviewView } from "./overview-view.js";
import { RestoreView } from "./restore-view.js";
import { RisksView } from "./risks-view.js";
import { Lines, seg } from "./screen-lines.js";
import type { Session } from "./session.js";
import { TimelineView } from "./timeline-view.js";
import { dispatch, fieldIndex, initialState, vmIndex, type UiState } from "./ui-state.js";
import { useTerminalSize, type TerminalSize } from "./use-terminal-size.js";

export const MIN_SIZE: TerminalSize = { columns: 60, rows: 12 };

export interface AppProps {
  session: Session;
  /** A fixed size (tests); otherwise the terminal's, following resizes. */
  size?: TerminalSize;
  /** Called when the user quits, before the app unmounts. */
  onQuit?: () => void;
}

export function App({ session, size, onQuit }: AppProps): React.JSX.Element {
  const { exit } = useApp();
  const term = useTerminalSize(size);
  const [ui, setUi] = useState<UiState>(() => initialState(session));
  // Several keys can arrive before React draws again (a paste, key repeat): each must see the
  // state the previous one left.
  const current = useRef(ui);
  current.current = ui;
  const [, setBilled] = useState(false);
  // The bill of a large set takes a few hundred ms: it is computed just after the first frame
  // (which shows "…" for it), so that the screen comes up at once.
  useEffect(() => {
    if (!session.billPending) return;
    const t = setTimeout(() => {
      session.completeBill();
      setBilled(true);
    }, 0);
    return () => clearTimeout(t);
  }, [session]);

  const width = term.columns;
  // One line short of the terminal: a full-height frame makes Ink clear the screen on every
  // draw, which flickers; this way it rewrites only what changed.
  const height = term.rows - 1;
  const status = statusLines(ui.message, session.dirty, width);
  const viewHeight = height - 3 - status.length;

  useInput((input, key) => {
    // A burst of keys (paste, key repeat, ssh) arrives as one event: apply each key, in order.
    const actions = actionsFor(input, key);
    if (!actions.length) return;
    const quit = () => {
      onQuit?.();
      exit();
    };
    for (const action of actions) current.current = dispatch(current.current, action, { session, page: Math.max(1, viewHeight - 3), quit });
    setUi(current.current);
  });

  if (width < MIN_SIZE.columns || term.rows < MIN_SIZE.rows) {
    return <Lines lines={[[seg(`terminal too small: ${width}x${term.rows}, bkp ui needs ${MIN_SIZE.columns}x${MIN_SIZE.rows}`, { bold: true })], [seg("make it larger, or press q to quit", { dim: true })]]} width={width} height={Math.max(1, height)} />;
  }

  const a = session.analysis;
  const selected = vmIndex(ui, session);
  const fields = ui.vm ? session.fields(ui.vm) : [];
  let body: React.JSX.Element;
  const p = ui.panel;
  if (p.kind === "help") body = <HelpPanel width={width} height={viewHeight} />;
  else if (p.kind === "diff") body = <DiffPanel changes={p.changes} scroll={p.scroll} width={width} height={viewHeight} />;
  else if (p.kind === "explain" && a.findings[ui.risk]) {
    const f = a.findings[ui.risk];
    const frame = f.file && f.range ? session.frame({ code: f.code, severity: f.severity, message: f.message, file: f.file, range: f.range }) : undefined;
    body = <ExplainPanel finding={f} frame={frame} width={width} height={viewHeight} />;
  } else if (ui.view === "overview") body = <OverviewView analysis={a} selected={selected} width={width} height={viewHeight} />;
  else if (ui.view === "timeline") body = <TimelineView analysis={a} selected={selected} day={ui.day} perVault={ui.perVault} width={width} height={viewHeight} />;
  else if (ui.view === "risks") body = <RisksView analysis={a} selected={ui.risk} width={width} height={viewHeight} />;
  else if (ui.view === "costs") body = <CostsView analysis={a} change={session.lastChange} selected={selected} width={width} height={viewHeight} />;
  else body = <RestoreView analysis={a} scroll={ui.restoreScroll} width={width} height={viewHeight} />;

  return (
    <Box flexDirection="column" width={width} height={height}>
      <TabBar view={ui.view} analysis={a} width={width} />
      {body}
      <EditBar vmName={ui.vm} fields={fields} focused={fieldIndex(ui, session)} width={width} />
      <StatusLine lines={status} width={width} />
    </Box>
  );
}
