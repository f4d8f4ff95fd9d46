import { irreversibleChange } from "../../../src/lint/rules/irreversible-change.js";
import { describeRule } from "../harness.js";

describeRule(irreversibleChange);
