import { linuxApplicationWithoutScripts } from "../../../src/lint/rules/linux-application-without-scripts.js";
import { describeRule } from "../harness.js";

describeRule(linuxApplicationWithoutScripts);
