import { continueOnFailureFalse } from "../../../src/lint/rules/continue-on-failure-false.js";
import { describeRule } from "../harness.js";

describeRule(continueOnFailureFalse);
