// The engine's public API: plain data in, plain result objects out.
export { backupVm } from "./backup.js";
export { listPoints } from "./points.js";
export { restoreVm, findPoint, restoredFileName, restoreAdeKeys, pointBek, writePointBek } from "./restore.js";
export { verifyVault } from "./verify.js";
export { repairVault } from "./repair.js";
export { EngineError, ErrorCodes, isEngineError } from "./errors.js";
export type { ErrorCode } from "./errors.js";
export { defaultMachineKeyFile, parseKeyBytes } from "./vault/keys.js";
export { DEFAULT_BLOCK_SIZE } from "./vault/vault.js";
export { WORKER_BUNDLE_NAME } from "./workers/worker-pool.js";
export type * from "./types.js";
