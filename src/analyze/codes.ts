// Codes of analysis risks (BKP3xxx), like the checker's catalogue: one stable code per kind
// of risk, never reused. docs/analysis-model.md lists them for users.
import type { Severity } from "../lang/diagnostics.js";

export const RISK_CODES = {
  BKP3001: { severity: "error", title: "daily backup predicted over 24 hours" },
  BKP3002: { severity: "warning", title: "disk churn over 200 GB a day" },
  BKP3003: { severity: "warning", title: "first backup (or an added disk's) predicted over 24 hours" },
  BKP3004: { severity: "error", title: "enhanced backup longer than its interval" },
  BKP3005: { severity: "warning", title: "congestion: many VMs of one vault start together" },
  BKP3006: { severity: "warning", title: "default-time pile-up: backups at midnight" },
  BKP3007: { severity: "warning", title: "storage account holds more than 5 disks" },
  BKP3008: { severity: "error", title: "storage account holds more than 10 disks" },
  BKP3009: { severity: "warning", title: "restored VMs share a target storage account" },
  BKP3010: { severity: "warning", title: "premium disk with instant restore has under 50% free for its first backup" },
  BKP3011: { severity: "error", title: "restore spread rule cannot be satisfied" },
  BKP3012: { severity: "warning", title: "checksum comparison: the previous snapshot is gone" },
  BKP3013: { severity: "info", title: "consistency lower than the policy asks" },
  BKP3014: { severity: "info", title: "snapshots taken in peak hours wait for the vault" },
  BKP3015: { severity: "warning", title: "provisioning in progress: the service retries backups" },
  BKP3016: { severity: "info", title: "archive tier not priced" },
  BKP3017: { severity: "warning", title: "price books in several currencies" },
  BKP3020: { severity: "info", title: "archive recommended: points billed in the standard tier" },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type RiskCode = keyof typeof RISK_CODES;
