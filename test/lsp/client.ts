// An LSP client for tests, as an editor is one: spawns `node dist/bkp.mjs lsp --stdio` and
// talks JSON-RPC over its stdin/stdout (vscode-jsonrpc, the library editors' clients use).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import { BIN } from "../helpers.js";

export interface PublishedDiagnostics {
  uri: string;
  diagnostics: {
    range: { start: { line: number; character: number }; end: { line: number; character: number } };
    severity: number;
    code: string;
    codeDescription?: { href: string };
    source: string;
    message: string;
    relatedInformation?: { location: { uri: string; range: unknown }; message: string }[];
  }[];
}

export interface Client {
  rpc: MessageConnection;
  child: ChildProcess;
  /** The server's standard error and its log messages. */
  stderr: () => string;
  /** Every publishDiagnostics received, in order. */
  published: PublishedDiagnostics[];
  /** Resolves with the next diagnostics for `uri` that satisfy `ok`. */
  diagnostics(uri: string, ok?: (d: PublishedDiagnostics) => boolean): Promise<PublishedDiagnostics>;
  open(path: string, text?: string): Promise<string>;
  change(uri: string, version: number, text: string): Promise<void>;
  request<R>(method: string, params: unknown): Promise<R>;
  close(): Promise<number | null>;
}

export const uri = (path: string) => pathToFileURL(path).href;

export async function startClient(root: string | undefined, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Client> {
  const child = spawn(process.execPath, [...nodeArgs, BIN, "lsp", "--stdio"], { env: { ...process.env, BKP_NOW: "2026-12-01T00:00:00Z", ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  const rpc = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published: PublishedDiagnostics[] = [];
  const waiters: { uri: string; ok: (d: PublishedDiagnostics) => boolean; resolve: (d: PublishedDiagnostics) => void }[] = [];
  rpc.onNotification("textDocument/publishDiagnostics", (p: PublishedDiagnostics) => {
    published.push(p);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.ok(p)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p);
      }
    }
  });
  rpc.onNotification("window/logMessage", (m: { message: string }) => (err += `${m.message}\n`));
  rpc.onRequest("window/showMessageRequest", () => null);
  rpc.listen();
  await rpc.sendRequest("initialize", {
    processId: process.pid,
    rootUri: root ? uri(root) : null,
    workspaceFolders: root ? [{ uri: uri(root), name: "policies" }] : null,
    capabilities: { textDocument: { hover: { contentFormat: ["markdown"] }, rename: { prepareSupport: true } } },
  });
  await rpc.sendNotification("initialized", {});
  return {
    rpc,
    child,
    stderr: () => err,
    published,
    diagnostics(u, ok = () => true) {
      const seen = [...published].reverse().find((p) => p.uri === u);
      if (seen && ok(seen)) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ uri: u, ok, resolve }));
    },
    async open(path, text = readFileSync(path, "utf8")) {
      await rpc.sendNotification("textDocument/didOpen", { textDocument: { uri: uri(path), languageId: "bkp", version: 1, text } });
      return uri(path);
    },
    async change(u, version, text) {
      await rpc.sendNotification("textDocument/didChange", { textDocument: { uri: u, version }, contentChanges: [{ text }] });
    },
    request: <R>(method: string, params: unknown) => rpc.sendRequest(method, params) as Promise<R>,
    async close() {
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      await rpc.sendRequest("shutdown");
      await rpc.sendNotification("exit");
      const code = await exited;
      rpc.dispose();
      return code;
    },
  };
}
