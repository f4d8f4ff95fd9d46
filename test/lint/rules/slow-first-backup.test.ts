import { slowFirstBackup } from "../../../src/lint/rules/slow-first-backup.js";
import { describeRule } from "../harness.js";

describeRule(slowFirstBackup);
