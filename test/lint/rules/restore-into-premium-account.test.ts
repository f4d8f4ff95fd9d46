import { restoreIntoPremiumAccount } from "../../../src/lint/rules/restore-into-premium-account.js";
import { describeRule } from "../harness.js";

describeRule(restoreIntoPremiumAccount);
