// Starts the Azurite Blob emulator (the npm package, a dev dependency) on a free loopback port
// for a test file, and stops it after. Data lives in a temp folder, so a restart keeps it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContainerClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { ROOT } from "../helpers.js";

export const DEV_ACCOUNT = "devstoreaccount1";
export const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Azurite {
  port: number;
  /** http://127.0.0.1:PORT/devstoreaccount1 */
  serviceUrl: string;
  /** The environment bkp reads its credential from. */
  env: Record<string, string>;
  /** Creates a container (a fresh name each call) and returns its URL. */
  container(prefix?: string): Promise<string>;
  /**
   * Stops the emulator abruptly for its clients (SIGTERM: connections drop mid-request). Not
   * SIGKILL: Azurite keeps its metadata in memory and saves it every 5 s, so a SIGKILL would
   * lose writes it had acknowledged — which Azure Storage never does.
   */
  kill(): Promise<void>;
  /** Starts it again on the same port and data folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const main = join(ROOT, "node_modules", "azurite", "dist", "src", "blob", "main.js");
  const child = spawn(process.execPath, [main, "--blobHost", "127.0.0.1", "--blobPort", String(port), "--location", dir, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((res, rej) => {
    let out = "";
    const timer = setTimeout(() => rej(new Error(`Azurite did not start in 30 s: ${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/successfully listen/i.test(out)) {
        clearTimeout(timer);
        res(child);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`Azurite exited (${code}) before listening: ${out}`));
    });
  });
}

let counter = 0;

export async function startAzurite(): Promise<Azurite> {
  const dir = mkdtempSync(join(tmpdir(), "bkp-azurite-"));
  const port = await freePort();
  let child: ChildProcess | undefined = await launch(port, dir);
  const serviceUrl = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  const connection = `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=${serviceUrl};`;
  const exited = (c: ChildProcess) => new Promise<void>((res) => (c.exitCode !== null || c.signalCode !== null ? res() : c.once("exit", () => res())));
  return {
    port,
    serviceUrl,
    env: { AZURE_STORAGE_CONNECTION_STRING: connection },
    async container(prefix = "") {
      const name = `bkp-${process.pid}-${++counter}-${Date.now().toString(36)}`;
      await new ContainerClient(`${serviceUrl}/${name}`, new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY)).create();
      return `${serviceUrl}/${name}${prefix ? `/${prefix}` : ""}`;
    },
    async kill() {
      if (!child) return;
      const c = child;
      child = undefined;
      c.kill("SIGTERM");
      await exited(c);
    },
    async restart() {
      if (child) return;
      child = await launch(port, dir);
    },
    async stop() {
      if (child) {
        const c = child;
        child = undefined;
        c.kill("SIGTERM");
        await exited(c);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
