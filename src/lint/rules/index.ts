// The rule catalogue. Codes are stable: a retired rule keeps its code reserved.
import { adeBekWithoutKek } from "./ade-bek-without-kek.js";
import { backupLongerThanInterval } from "./backup-longer-than-interval.js";
import { backupOver24h } from "./backup-over-24h.js";
import { continueOnFailureFalse } from "./continue-on-failure-false.js";
import { customerKeyMissing } from "./customer-key-missing.js";
import { customerKeyReadableByOthers } from "./customer-key-readable-by-others.js";
import { defaultScheduleTime } from "./default-schedule-time.js";
import { diskDeclaredVsImage } from "./disk-declared-vs-image.js";
import { dstNotAdjusted } from "./dst-not-adjusted.js";
import { fragmentedDisk } from "./fragmented-disk.js";
import { fsfreezeDisabled } from "./fsfreeze-disabled.js";
import { highChurn } from "./high-churn.js";
import { imageMissing } from "./image-missing.js";
import { instanceJustOverTier } from "./instance-just-over-tier.js";
import { irreversibleChange } from "./irreversible-change.js";
import { linuxApplicationWithoutScripts } from "./linux-application-without-scripts.js";
import { newDiskInitialReplication } from "./new-disk-initial-replication.js";
import { premiumFreeSpace } from "./premium-free-space.js";
import { restoreIntoPremiumAccount } from "./restore-into-premium-account.js";
import { restoreSharesStorageAccount } from "./restore-shares-storage-account.js";
import { restoreWithoutResourceGroup } from "./restore-without-resource-group.js";
import { retentionDayNotInEveryMonth } from "./retention-day-not-in-every-month.js";
import { scheduleNotOnHalfHour } from "./schedule-not-on-half-hour.js";
import { scriptNotRunnable } from "./script-not-runnable.js";
import { slowFirstBackup } from "./slow-first-backup.js";
import { snapshotExpiresBeforeNextBackup } from "./snapshot-expires-before-next-backup.js";
import { stoppedRetainStillBilled } from "./stopped-retain-still-billed.js";
import { stoppedVmCrashConsistent } from "./stopped-vm-crash-consistent.js";
import { synchronizedSchedules } from "./synchronized-schedules.js";
import { tooManyDisksPerStorageAccount } from "./too-many-disks-per-storage-account.js";
import { archiveNeverReached } from "./archive-never-reached.js";
import { unusedPolicy } from "./unused-policy.js";
import { vssFullImplicit } from "./vss-full-implicit.js";
import type { Rule } from "../rule.js";
import { compareText } from "../../utils/compare.js";

export const RULES: Rule[] = [
  adeBekWithoutKek,
  backupLongerThanInterval,
  backupOver24h,
  continueOnFailureFalse,
  customerKeyMissing,
  customerKeyReadableByOthers,
  defaultScheduleTime,
  diskDeclaredVsImage,
  dstNotAdjusted,
  fragmentedDisk,
  fsfreezeDisabled,
  highChurn,
  imageMissing,
  instanceJustOverTier,
  irreversibleChange,
  linuxApplicationWithoutScripts,
  newDiskInitialReplication,
  premiumFreeSpace,
  restoreIntoPremiumAccount,
  restoreSharesStorageAccount,
  restoreWithoutResourceGroup,
  retentionDayNotInEveryMonth,
  scheduleNotOnHalfHour,
  scriptNotRunnable,
  slowFirstBackup,
  snapshotExpiresBeforeNextBackup,
  stoppedRetainStillBilled,
  stoppedVmCrashConsistent,
  synchronizedSchedules,
  tooManyDisksPerStorageAccount,
  unusedPolicy,
  archiveNeverReached,
  vssFullImplicit,
].sort((a, b) => compareText(a.code, b.code));
