import { adeBekWithoutKek } from "../../../src/lint/rules/ade-bek-without-kek.js";
import { describeRule } from "../harness.js";

describeRule(adeBekWithoutKek);
