// The terminal's size, following resizes (Ink draws again on 'resize'; the views need the
// new size to lay themselves out).
import { useStdout } from "ink";
import { useEffect, useState } from "react";

export interface TerminalSize {
  columns: number;
  rows: number;
}

export function useTerminalSize(fixed?: TerminalSize): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
    // `read` only reads `stdout`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout]);
  return fixed ?? size;
}
