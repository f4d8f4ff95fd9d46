import { defaultScheduleTime } from "../../../src/lint/rules/default-schedule-time.js";
import { describeRule } from "../harness.js";

describeRule(defaultScheduleTime);
