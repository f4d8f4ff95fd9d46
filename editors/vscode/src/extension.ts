// The bkp extension: starts `bkp lsp --stdio` for .bkp files and hands everything else
// (diagnostics, hover, completion, navigation, formatting, quick fixes) to the server.
import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function serverOptions(path: string): ServerOptions {
  // A checkout's dist/bkp.mjs runs on VS Code's own Node; an installed `bkp` is an executable.
  if (/\.(?:mjs|cjs|js)$/.test(path)) return { module: path, args: ["lsp"], transport: TransportKind.stdio };
  return { command: path, args: ["lsp"], transport: TransportKind.stdio };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const path = vscode.workspace.getConfiguration("bkp").get<string>("path") || "bkp";
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "bkp" }, { scheme: "untitled", language: "bkp" }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.bkp,bkp.json}") },
  };
  client = new LanguageClient("bkp", "bkp", serverOptions(path), clientOptions);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("bkp.path")) void vscode.commands.executeCommand("workbench.action.restartExtensionHost");
    }),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
