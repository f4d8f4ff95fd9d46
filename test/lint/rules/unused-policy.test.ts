import { unusedPolicy } from "../../../src/lint/rules/unused-policy.js";
import { describeRule } from "../harness.js";

describeRule(unusedPolicy);
