// The vault on Azure Blob Storage, through the official SDK: the same Storage contract as a
// directory. Objects are block blobs under the vault's prefix; a put is one atomic upload;
// `ifAbsent` puts are conditional (If-None-Match: *) so two hosts never overwrite each other's
// objects; packs are streamed as staged blocks and become visible only when the block list
// is committed, so a killed upload leaves uncommitted blocks that nothing lists or reads (the
// service discards them after a week).
import { randomBytes } from "node:crypto";
import { ContainerClient, RestError } from "@azure/storage-blob";
import type { BlockBlobClient } from "@azure/storage-blob";
import { EngineError, ErrorCodes } from "../errors.js";
import type { ObjectWriter, PutOptions, Storage } from "./storage.js";

/** A staged block of a streamed object; Azure allows up to 4000 MiB, 4 MiB keeps memory low. */
const STAGE_BYTES = 4 * 1024 * 1024;
/** Staged blocks uploading at once per writer (memory: STAGE_BYTES each). */
const STAGE_PARALLEL = 8;

function errorCodeOf(e: unknown): string | undefined {
  return e instanceof RestError ? (e.code ?? String(e.statusCode)) : undefined;
}

function statusOf(e: unknown): number | undefined {
  return e instanceof RestError ? e.statusCode : undefined;
}

/** Node-style errors so the engine's ENOENT/EEXIST handling serves both backends. */
function notFound(name: string, cause: unknown): Error {
  return Object.assign(new Error(`vault object ${name} does not exist`, { cause }), { code: "ENOENT" });
}

function exists(name: string, cause: unknown): Error {
  return Object.assign(new Error(`vault object ${name} already exists`, { cause }), { code: "EEXIST" });
}

/**
 * Turns what the service or the network said into an EngineError a user can act on
 * (credentials, a missing container, an unreachable endpoint); others pass through.
 */
export function blobError(e: unknown, location: string, action: string): unknown {
  if (e instanceof EngineError) return e;
  const status = statusOf(e);
  const code = errorCodeOf(e);
  if (status === 403 || code === "AuthenticationFailed" || code === "AuthorizationFailure") {
    return new EngineError(
      ErrorCodes.BLOB_AUTH,
      `Azure Storage refused the credential while ${action} (${location}: ${code ?? status}). Check AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_ACCOUNT/AZURE_STORAGE_KEY, or the SAS token in the vault's blob URL (see docs/vault-format.md).`,
      { cause: e },
    );
  }
  if (code === "ContainerNotFound") {
    return new EngineError(ErrorCodes.BLOB_CONTAINER, `the container of ${location} does not exist. Create it (az storage container create) or fix the vault's blob URL.`, { cause: e });
  }
  const net = typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "";
  if (status === undefined && /ECONNREFUSED|ENOTFOUND|ECONNRESET|ETIMEDOUT|EAI_AGAIN|REQUEST_SEND_ERROR|EPIPE/.test(net + String((e as Error)?.message))) {
    return new EngineError(ErrorCodes.BLOB_UNREACHABLE, `Azure Storage at ${location} could not be reached while ${action} (${(e as Error).message}); bkp retried with backoff and gave up. Nothing half-written is visible in the vault: run the command again when the endpoint is back.`, { cause: e });
  }
  if (status !== undefined && status >= 500) {
    return new EngineError(ErrorCodes.BLOB_UNREACHABLE, `Azure Storage answered ${status} ${code ?? ""} while ${action} (${location}) after retries; run the command again later.`, { cause: e });
  }
  return e;
}

export class BlobStorage implements Storage {
  readonly location: string;
  private readonly prefix: string;

  constructor(
    private readonly container: ContainerClient,
    prefix: string,
    location: string,
  ) {
    this.prefix = prefix ? `${prefix.replace(/\/+$/, "")}/` : "";
    this.location = location;
  }

  /** The SDK client of one object (the lock module takes leases on it). */
  blobClient(name: string): BlockBlobClient {
    if (name.includes("..") || name.startsWith("/")) throw new Error(`bad object name ${name}`);
    return this.container.getBlockBlobClient(this.prefix + name);
  }

  private async call<T>(name: string, action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const status = statusOf(e);
      const code = errorCodeOf(e);
      if (code === "BlobNotFound" || (status === 404 && code !== "ContainerNotFound")) throw notFound(name, e);
      if (code === "BlobAlreadyExists" || code === "ConditionNotMet" || status === 409 || status === 412) throw exists(name, e);
      throw blobError(e, this.location, `${action} ${name}`);
    }
  }

  async put(name: string, data: Uint8Array | readonly Uint8Array[], opts: PutOptions = {}): Promise<void> {
    const body = data instanceof Uint8Array ? data : Buffer.concat(data as Uint8Array[]);
    const conditions = opts.ifAbsent ? { ifNoneMatch: "*" } : undefined;
    await this.call(name, "writing", () => this.blobClient(name).upload(body, body.length, { conditions }));
  }

  /** Every put is durable when it returns: the service acknowledges only committed writes. */
  async syncPending(): Promise<void> {}

  async get(name: string): Promise<Buffer> {
    return this.call(name, "reading", () => this.blobClient(name).downloadToBuffer());
  }

  /** One ranged GET; short (or empty) past the end of the object, as a file read is. */
  async read(name: string, offset: number, length: number): Promise<Buffer> {
    if (length === 0) return Buffer.alloc(0);
    try {
      return await this.call(name, "reading", async () => {
        const res = await this.blobClient(name).download(offset, length);
        const chunks: Buffer[] = [];
        for await (const c of res.readableStreamBody!) chunks.push(c as Buffer);
        return Buffer.concat(chunks);
      });
    } catch (e) {
      // 416: the range starts at or past the end.
      if (statusOf(e) === 416) return Buffer.alloc(0);
      throw e;
    }
  }

  async size(name: string): Promise<number | undefined> {
    try {
      return await this.call(name, "reading", async () => (await this.blobClient(name).getProperties()).contentLength ?? 0);
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return undefined;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const folder = prefix.replace(/\/+$/, "");
    const full = this.prefix + (folder ? `${folder}/` : "");
    const out: string[] = [];
    try {
      for await (const b of this.container.listBlobsFlat({ prefix: full })) out.push(b.name.slice(this.prefix.length));
    } catch (e) {
      throw blobError(e, this.location, `listing ${folder || "the vault"}`);
    }
    return out.sort();
  }

  async delete(name: string): Promise<void> {
    await this.call(name, "deleting", () => this.blobClient(name).deleteIfExists());
  }

  async syncFolder(): Promise<void> {}

  createWriter(name: string, opts: PutOptions = {}): ObjectWriter {
    return new BlobWriter(this, this.blobClient(name), name, opts);
  }

  /** Uncommitted blocks are invisible and expire on their own: nothing to remove. */
  async removeTemporaries(): Promise<number> {
    return 0;
  }

  /** For the writer: maps errors the same way as every other call. */
  run<T>(name: string, action: string, fn: () => Promise<T>): Promise<T> {
    return this.call(name, action, fn);
  }
}

/**
 * Streams an object as staged blocks, several in flight; `commit` commits the block list
 * (conditionally for `ifAbsent`). Memory: one filling block plus STAGE_PARALLEL uploading.
 */
class BlobWriter implements ObjectWriter {
  size = 0;
  private buf: Buffer[] = [];
  private buffered = 0;
  private readonly ids: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private closed = false;
  private readonly tag = randomBytes(6).toString("hex");

  constructor(
    private readonly storage: BlobStorage,
    private readonly blob: BlockBlobClient,
    private readonly name: string,
    private readonly opts: PutOptions,
  ) {}

  write(data: Uint8Array): void {
    if (this.closed) throw new Error("writer closed");
    if (this.failure) throw this.failure;
    this.buf.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.buffered += data.byteLength;
    this.size += data.byteLength;
    if (this.buffered >= STAGE_BYTES) this.stage();
  }

  /** Block ids must all have the same length within a blob. */
  private stage(): void {
    const body = Buffer.concat(this.buf);
    this.buf = [];
    this.buffered = 0;
    const id = Buffer.from(`${this.tag}-${String(this.ids.length).padStart(6, "0")}`).toString("base64");
    this.ids.push(id);
    const p: Promise<void> = this.storage
      .run(this.name, "uploading", () => this.blob.stageBlock(id, body, body.length))
      .then(
        () => undefined,
        (e: unknown) => {
          this.failure ??= e;
        },
      )
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Waits while too many blocks are uploading, so memory stays bounded. */
  async drain(): Promise<void> {
    while (this.inFlight.size >= STAGE_PARALLEL) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  async commit(): Promise<void> {
    if (this.closed) throw new Error("writer closed");
    this.closed = true;
    if (this.buffered > 0 || this.ids.length === 0) this.stage();
    await Promise.all([...this.inFlight]);
    if (this.failure) throw this.failure;
    const conditions = this.opts.ifAbsent ? { ifNoneMatch: "*" } : undefined;
    await this.storage.run(this.name, "committing", () => this.blob.commitBlockList(this.ids, { conditions }));
  }

  async abort(): Promise<void> {
    this.closed = true;
    this.buf = [];
    await Promise.allSettled([...this.inFlight]);
  }
}
