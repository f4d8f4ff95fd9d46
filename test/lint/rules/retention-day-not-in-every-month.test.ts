import { retentionDayNotInEveryMonth } from "../../../src/lint/rules/retention-day-not-in-every-month.js";
import { describeRule } from "../harness.js";

describeRule(retentionDayNotInEveryMonth);
