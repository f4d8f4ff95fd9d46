// Per-disk progress for the CLI's bars; worker reports are summed per disk.
import type { ProgressEvent } from "./types.js";

export class ProgressTracker {
  private readonly disks = new Map<string, ProgressEvent>();

  constructor(private readonly onProgress?: (e: ProgressEvent) => void) {}

  add(key: string, vm: string, disk: string, phase: ProgressEvent["phase"], bytesTotal: number): void {
    this.disks.set(key, { vm, disk, phase, bytesDone: 0, bytesTotal });
  }

  advance(key: string, bytes: number): void {
    const d = this.disks.get(key);
    if (!d) return;
    d.bytesDone = Math.min(d.bytesTotal, d.bytesDone + bytes);
    this.onProgress?.({ ...d });
  }

  complete(key: string): void {
    const d = this.disks.get(key);
    if (!d) return;
    d.bytesDone = d.bytesTotal;
    this.onProgress?.({ ...d });
  }
}

export const diskKey = (vm: string, disk: string) => `${vm}\u0000${disk}`;
