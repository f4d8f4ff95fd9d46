import { stoppedRetainStillBilled } from "../../../src/lint/rules/stopped-retain-still-billed.js";
import { describeRule } from "../harness.js";

describeRule(stoppedRetainStillBilled);
