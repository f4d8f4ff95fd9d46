import { fragmentedDisk } from "../../../src/lint/rules/fragmented-disk.js";
import { describeRule } from "../harness.js";

describeRule(fragmentedDisk);
