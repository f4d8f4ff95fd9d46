import { backupLongerThanInterval } from "../../../src/lint/rules/backup-longer-than-interval.js";
import { describeRule } from "../harness.js";

describeRule(backupLongerThanInterval);
