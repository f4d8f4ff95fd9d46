import { highChurn } from "../../../src/lint/rules/high-churn.js";
import { describeRule } from "../harness.js";

describeRule(highChurn);
