import { restoreWithoutResourceGroup } from "../../../src/lint/rules/restore-without-resource-group.js";
import { describeRule } from "../harness.js";

describeRule(restoreWithoutResourceGroup);
