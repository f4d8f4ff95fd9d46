import { instanceJustOverTier } from "../../../src/lint/rules/instance-just-over-tier.js";
import { describeRule } from "../harness.js";

describeRule(instanceJustOverTier);
