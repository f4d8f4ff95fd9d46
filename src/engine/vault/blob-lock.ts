// The vault's locks on Azure Blob Storage: blob leases, so hosts that share a vault exclude
// each other without any server of bkp's own. Same rules as the directory vault's locks
// (src/engine/vault/lock.ts): one writer; readers (restore, verify) and prune exclude each other.
//
// The writer holds a lease on `locks/writer` and renews it while it works; a holder that died
// (kill -9, a lost host) stops renewing and the lease expires after LEASE_SECONDS, when the next
// writer takes it over. The holder's JSON (host, pid, purpose) is written into the blob under
// the lease so a waiting host can say who holds it. Each reader holds a lease on a blob of its
// own, `locks/reader-<random>`; a prune that can take a reader's lease knows that reader died.
import os from "node:os";
import { randomBytes } from "node:crypto";
import type { BlobLeaseClient, BlockBlobClient } from "@azure/storage-blob";
import { RestError } from "@azure/storage-blob";
import { EngineError, ErrorCodes } from "../errors.js";
import type { BlobStorage } from "./blob-storage.js";
import { blobError } from "./blob-storage.js";
import { newLockInfo, type AcquireOptions, type LockInfo, type ReaderInfo } from "./lock.js";

/** Azure takes 15–60 s (or infinite); BKP_BLOB_LEASE_SECONDS sets it (tests use 15). */
export function leaseSeconds(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.BKP_BLOB_LEASE_SECONDS);
  return Number.isInteger(n) && n >= 15 && n <= 60 ? n : 30;
}

const WRITER = "locks/writer";
const READER_PREFIX = "locks/reader-";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const leased = (e: unknown) => e instanceof RestError && (e.statusCode === 409 || e.statusCode === 412);

export interface BlobHeldLock {
  info: LockInfo;
  release(): Promise<void>;
}

interface Lease {
  client: BlobLeaseClient;
  stop(): Promise<void>;
}

/** Takes a lease and renews it every third of its duration until stopped. */
async function takeLease(blob: BlockBlobClient, seconds: number): Promise<Lease | undefined> {
  const client = blob.getBlobLeaseClient(randomBytes(16).toString("hex").replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5"));
  try {
    await client.acquireLease(seconds);
  } catch (e) {
    if (leased(e)) return undefined;
    throw e;
  }
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // A failed renewal is found by the next write under the lease (it is refused), never ignored silently.
    renewing = client.renewLease().catch(() => undefined);
  }, (seconds * 1000) / 3);
  timer.unref();
  return {
    client,
    async stop() {
      clearInterval(timer);
      await renewing;
      await client.releaseLease().catch(() => undefined);
    },
  };
}

async function ensureBlob(storage: BlobStorage, name: string): Promise<void> {
  try {
    await storage.put(name, Buffer.from("{}\n"), { ifAbsent: true });
  } catch (e) {
    if ((e as { code?: string }).code !== "EEXIST") throw e;
  }
}

async function readInfo<T>(storage: BlobStorage, name: string): Promise<T | undefined> {
  try {
    const o = JSON.parse((await storage.get(name)).toString("utf8")) as Partial<T> & { pid?: number };
    return o.pid === undefined ? undefined : (o as T);
  } catch {
    return undefined;
  }
}

async function writeUnderLease(storage: BlobStorage, name: string, lease: Lease, info: object): Promise<void> {
  const body = Buffer.from(JSON.stringify(info) + "\n");
  await storage.run(name, "writing", () => storage.blobClient(name).upload(body, body.length, { conditions: { leaseId: lease.client.leaseId } }));
}

function holder(h: { pid: number; hostname: string; purpose: string; startedAt: string } | undefined): string {
  return h ? `pid ${h.pid} on ${h.hostname}, ${h.purpose} since ${h.startedAt}` : "holder unknown";
}

export async function acquireBlobLock(storage: BlobStorage, purpose: string, waitMs: number, opts: AcquireOptions = {}): Promise<BlobHeldLock> {
  const seconds = leaseSeconds();
  const info = newLockInfo(purpose, opts);
  const deadline = Date.now() + waitMs;
  let lease: Lease | undefined;
  try {
    await ensureBlob(storage, WRITER);
    for (let attempt = 0; ; attempt++) {
      lease = await takeLease(storage.blobClient(WRITER), seconds);
      if (lease) break;
      if (Date.now() >= deadline) {
        const h = await readInfo<LockInfo>(storage, WRITER);
        throw new EngineError(
          ErrorCodes.LOCK_HELD,
          `vault ${storage.location} is locked by another writer (${holder(h)}): one writer at a time keeps the vault consistent. ` +
            `Wait for it to finish and run again; a holder that died releases the lock by itself within ${seconds} s (its blob lease expires).`,
        );
      }
      await sleep(Math.min(200 + attempt * 100, 1000, Math.max(10, deadline - Date.now())));
    }
    await writeUnderLease(storage, WRITER, lease, info);
  } catch (e) {
    await lease?.stop();
    throw blobError(e, storage.location, "taking the vault's lock");
  }
  const held: BlobHeldLock = {
    info,
    async release() {
      const l = lease;
      lease = undefined;
      if (!l) return;
      // Clear the holder so a stale "excludes readers" mark is never read after release.
      await writeUnderLease(storage, WRITER, l, {}).catch(() => undefined);
      await l.stop();
    },
  };
  if (opts.excludeReaders) {
    try {
      await waitForReaders(storage, deadline, waitMs, seconds);
    } catch (e) {
      await held.release();
      throw blobError(e, storage.location, "waiting for readers");
    }
  }
  return held;
}

/** Waits until no reader holds a lease; reader blobs whose lease we can take belong to dead readers. */
async function waitForReaders(storage: BlobStorage, deadline: number, waitMs: number, seconds: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const live: ReaderInfo[] = [];
    for (const name of await storage.list("locks")) {
      if (!name.startsWith(READER_PREFIX)) continue;
      const l = await takeLease(storage.blobClient(name), 15).catch(() => undefined);
      if (l) {
        await storage.run(name, "deleting", () => storage.blobClient(name).delete({ conditions: { leaseId: l.client.leaseId } })).catch(() => undefined);
        await l.stop();
      } else {
        const info = await readInfo<ReaderInfo>(storage, name);
        live.push(info ?? { pid: 0, hostname: "?", startedAt: "?", purpose: "a reader" });
      }
    }
    if (!live.length) return;
    if (Date.now() >= deadline) {
      const who = live.map((r) => `${r.purpose} (pid ${r.pid} on ${r.hostname}, since ${r.startedAt})`);
      throw new EngineError(
        ErrorCodes.LOCK_HELD,
        `vault ${storage.location} cannot be pruned now: ${who.join(", ")} ${live.length === 1 ? "is" : "are"} reading the vault, ` +
          `and prune deletes points and data a reader may be about to open (waited ${waitMs} ms). Nothing was deleted; try again when ${live.length === 1 ? "it finishes" : "they finish"} ` +
          `(a reader that died lets go within ${seconds} s).`,
      );
    }
    await sleep(Math.min(200 + attempt * 100, 1000, Math.max(10, deadline - Date.now())));
  }
}

/**
 * A reader's lease: registered FIRST, then the writer blob is read; a prune takes the writer
 * lease FIRST, then lists readers — so one of the two always sees the other (as on a directory).
 */
export async function acquireBlobReadLock(storage: BlobStorage, purpose: string, waitMs: number): Promise<BlobHeldLock> {
  const seconds = leaseSeconds();
  const info = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), purpose, token: randomBytes(8).toString("hex") };
  const name = `${READER_PREFIX}${info.token}`;
  const deadline = Date.now() + waitMs;
  try {
    for (let attempt = 0; ; attempt++) {
      await storage.put(name, Buffer.from(JSON.stringify(info) + "\n"), { ifAbsent: true });
      const lease = await takeLease(storage.blobClient(name), seconds);
      if (!lease) throw new Error(`reader blob ${name} is leased by someone else`);
      const w = await readInfo<LockInfo>(storage, WRITER);
      const props = await storage.blobClient(WRITER).getProperties().catch(() => undefined);
      const pruning = w?.excludesReaders === true && props?.leaseState === "leased";
      if (!pruning) {
        return {
          info: { ...info, excludesReaders: undefined },
          async release() {
            await storage.run(name, "deleting", () => storage.blobClient(name).delete({ conditions: { leaseId: lease.client.leaseId } })).catch(() => undefined);
            await lease.stop();
          },
        };
      }
      // Step back so the prune can go ahead.
      await storage.run(name, "deleting", () => storage.blobClient(name).delete({ conditions: { leaseId: lease.client.leaseId } })).catch(() => undefined);
      await lease.stop();
      if (Date.now() >= deadline) {
        throw new EngineError(
          ErrorCodes.LOCK_HELD,
          `vault ${storage.location} is being pruned (${holder(w)}): prune deletes expired points and their data, so ${purpose} waits for it (waited ${waitMs} ms). Nothing was read or written; run it again when the prune finishes.`,
        );
      }
      await sleep(Math.min(200 + attempt * 100, 1000, Math.max(10, deadline - Date.now())));
    }
  } catch (e) {
    throw blobError(e, storage.location, "registering as a reader");
  }
}
