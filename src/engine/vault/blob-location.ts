// Where a blob vault lives and how bkp signs in, as the Azure tools take it: a SAS token in
// the URL, AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT + AZURE_STORAGE_KEY.
import { AnonymousCredential, ContainerClient, StorageSharedKeyCredential, newPipeline } from "@azure/storage-blob";
import type { StoragePipelineOptions } from "@azure/storage-blob";
import { EngineError, ErrorCodes } from "../errors.js";
import { BlobStorage } from "./blob-storage.js";
import { parseBlobUrl, type BlobUrl } from "../../model/blob-url.js";

/** The vault's URL parsed by the checker's rules, or a BKP5083 error. */
export function blobUrl(raw: string): BlobUrl {
  const u = parseBlobUrl(raw);
  if ("problem" in u) throw new EngineError(ErrorCodes.BLOB_URL, `${u.problem}; write blob "https://<account>.blob.core.windows.net/<container>[/<folder>]"`);
  return u;
}

/** The parts of a connection string (key=value;…), keys lower-cased. */
function parseConnectionString(cs: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of cs.split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out.set(part.slice(0, i).trim().toLowerCase(), part.slice(i + 1).trim());
  }
  return out;
}

// Azurite's well-known development account (public; documented by Microsoft).
const DEV_ACCOUNT = "devstoreaccount1";
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Credential {
  /** What was used, for messages: "SAS token in the URL", "AZURE_STORAGE_CONNECTION_STRING", … */
  source: string;
  credential: StorageSharedKeyCredential | AnonymousCredential;
}

/** Picks the credential the way the Azure CLI does; says everything it tried when none fits. */
export function resolveCredential(url: BlobUrl, env: Record<string, string | undefined>): Credential {
  if (url.sas) return { source: "the SAS token in the vault's URL", credential: new AnonymousCredential() };
  const cs = env.AZURE_STORAGE_CONNECTION_STRING;
  if (cs) {
    const parts = parseConnectionString(cs);
    const dev = parts.get("usedevelopmentstorage") === "true";
    const name = dev ? DEV_ACCOUNT : parts.get("accountname");
    const key = dev ? DEV_KEY : parts.get("accountkey");
    if (!name || !key) {
      throw new EngineError(ErrorCodes.BLOB_AUTH, "AZURE_STORAGE_CONNECTION_STRING has no AccountName and AccountKey (a SAS-only connection string is not supported: put the SAS token in the vault's blob URL instead).");
    }
    if (name !== url.account) {
      throw new EngineError(ErrorCodes.BLOB_AUTH, `AZURE_STORAGE_CONNECTION_STRING is for account '${name}', but the vault's URL names account '${url.account}'.`);
    }
    return { source: "AZURE_STORAGE_CONNECTION_STRING", credential: new StorageSharedKeyCredential(name, key) };
  }
  const account = env.AZURE_STORAGE_ACCOUNT;
  const key = env.AZURE_STORAGE_KEY;
  if (account && key) {
    if (account !== url.account) throw new EngineError(ErrorCodes.BLOB_AUTH, `AZURE_STORAGE_ACCOUNT is '${account}', but the vault's URL names account '${url.account}'.`);
    try {
      return { source: "AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY", credential: new StorageSharedKeyCredential(account, key) };
    } catch (e) {
      throw new EngineError(ErrorCodes.BLOB_AUTH, `AZURE_STORAGE_KEY is not a valid account key (${(e as Error).message}).`);
    }
  }
  throw new EngineError(
    ErrorCodes.BLOB_AUTH,
    `no credential for ${url.display}: tried a SAS token in the URL (none), AZURE_STORAGE_CONNECTION_STRING (unset), AZURE_STORAGE_ACCOUNT + AZURE_STORAGE_KEY (${account ? "no key" : "unset"}). Set one of them (see docs/vault-format.md).`,
  );
}

/** Retries with exponential backoff on 5xx, throttling and network errors (the SDK's policy). */
export const RETRY_OPTIONS: StoragePipelineOptions["retryOptions"] = {
  maxTries: 5,
  retryDelayInMs: 200,
  maxRetryDelayInMs: 4000,
  tryTimeoutInMs: 120_000,
};

export function containerClient(url: BlobUrl, env: Record<string, string | undefined>): { client: ContainerClient; credential: Credential } {
  const credential = resolveCredential(url, env);
  const pipeline = newPipeline(credential.credential, { retryOptions: RETRY_OPTIONS });
  const base = `${url.serviceUrl}/${encodeURIComponent(url.container)}${url.sas ? `?${url.sas}` : ""}`;
  return { client: new ContainerClient(base, pipeline), credential };
}

export function openBlobStorage(rawUrl: string, env: Record<string, string | undefined>): BlobStorage {
  const url = blobUrl(rawUrl);
  const { client } = containerClient(url, env);
  return new BlobStorage(client, url.prefix, url.display);
}
