// Keys that arrive together (a paste, key repeat, typing over ssh) reach Ink as one input event
// with the whole run as its text: every key is applied, in order.
import { afterEach, describe, expect, it } from "vitest";
import { actionsFor } from "../../src/ui/keymap.js";
import { KEY, mount, open, SEED, TOUR, type Mounted } from "./helpers.js";

let ui: Mounted | undefined;
afterEach(() => ui?.unmount());

const selectedName = (m: Mounted) => /(\S+): policy "/.exec(m.frame())?.[1];

describe("key bursts", () => {
  it("jj in one event moves two rows, like j then j", async () => {
    ui = await mount(open(TOUR));
    const one = await mount(open(TOUR));
    await one.press("j", "j");
    const expected = selectedName(one);
    one.unmount();
    await ui.press("jj");
    expect(selectedName(ui)).toBe(expected);
    expect(expected).not.toBe("a2-standard");
  });

  it("+++ in one event changes the field three steps", async () => {
    ui = await mount(open([SEED]));
    await ui.press("1", ...Array(15).fill(KEY.left));
    for (let i = 0; i < 20 && !ui.frame().includes("[retain daily:"); i++) await ui.press(KEY.right);
    await ui.press("+++");
    expect(ui.frame()).toContain("[retain daily: 33 days]");
  });

  it("splits a run into its keys; Enter and Tab inside a run count too", () => {
    const key = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false };
    expect(actionsFor("jjjjjjj", key)).toHaveLength(7);
    expect(actionsFor("jG\t\r", key).map((a) => a.type)).toEqual(["move", "jump", "cycle-view", "enter"]);
    expect(actionsFor("j", key)).toEqual([{ type: "move", by: 1 }]);
  });
});
