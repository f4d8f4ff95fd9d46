// The compiler's public surface: Model + horizon -> Plan; retention, schedules and restore
// spreading as pure functions for analysis, lint and the engine.
export { compilePlan, backedUpDisks, policyRuns, type CompileOptions } from "./compile.js";
export { predictConsistency, type PredictedConsistency } from "./consistency.js";
export { expandSchedule, runsPerWindow } from "./schedule.js";
export { fatesMs, pointFates, pointsAt, pruneDecision, retentionSpec, type FatesMs, type PointFate, type RetentionRule, type RetentionSpec } from "./retention.js";
export { restoreRate, spreadRestore, spreadRestores } from "./spread.js";
export * from "./types.js";
