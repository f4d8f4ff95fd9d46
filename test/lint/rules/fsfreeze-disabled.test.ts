import { fsfreezeDisabled } from "../../../src/lint/rules/fsfreeze-disabled.js";
import { describeRule } from "../harness.js";

describeRule(fsfreezeDisabled);
