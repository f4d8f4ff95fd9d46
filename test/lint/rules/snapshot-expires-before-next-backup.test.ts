import { snapshotExpiresBeforeNextBackup } from "../../../src/lint/rules/snapshot-expires-before-next-backup.js";
import { describeRule } from "../harness.js";

describeRule(snapshotExpiresBeforeNextBackup);
