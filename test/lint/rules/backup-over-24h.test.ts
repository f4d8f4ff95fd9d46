import { backupOver24h } from "../../../src/lint/rules/backup-over-24h.js";
import { describeRule } from "../harness.js";

describeRule(backupOver24h);
