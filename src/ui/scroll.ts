// Keeping the selected row of a long list on screen: the window moves only when the selection
// would leave it (as in a spreadsheet), not on every key.
import { useRef } from "react";

export function scrollWindow(prev: number, selected: number, count: number, visible: number): number {
  let start = Math.min(prev, Math.max(0, count - visible));
  if (selected < start) start = selected;
  if (selected >= start + visible) start = selected - visible + 1;
  return Math.max(0, start);
}

/** The first visible row, remembered between frames. */
export function useScroll(selected: number, count: number, visible: number): number {
  const ref = useRef(0);
  ref.current = scrollWindow(ref.current, Math.max(0, selected), count, Math.max(1, visible));
  return ref.current;
}
