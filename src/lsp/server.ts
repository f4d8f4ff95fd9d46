// The language server (`bkp lsp --stdio`): LSP 3.17 over JSON-RPC on stdin/stdout, built on
// vscode-languageserver. This file wires requests to the features (one file each); every
// handler runs inside `guarded`, so a failure answers that one request with an error and
// the server goes on.
import {
  CodeActionKind,
  createConnection,
  ErrorCodes,
  ProposedFeatures,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocuments,
  TextDocumentSyncKind,
  FileChangeType,
  type Connection,
  type InitializeResult,
  type TextDocumentPositionParams,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { codeActions } from "./code-actions.js";
import { complete } from "./completion.js";
import { diagnosticsByFile } from "./diagnostics.js";
import { foldingRanges } from "./folding.js";
import { formatDocument } from "./formatting.js";
import { hover } from "./hover.js";
import { definition, prepareRename, references, rename, type NavInput } from "./navigation.js";
import { documentSymbols } from "./symbols.js";
import { pathOf, uriOf } from "./uris.js";
import { addRoot, checked, closeDocument, createWorkspace, fileChanged, linted, setDocument, textOf, type Workspace } from "./workspace.js";

/** Edits closer together than this are analysed once (diagnostics as you type). */
const DEBOUNCE_MS = 15;

export interface ServerOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

/** Runs the server until the client says exit or closes the stream. */
export function startServer(opts: ServerOptions): Promise<void> {
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(opts.input), new StreamMessageWriter(opts.output));
  const ws = createWorkspace(opts.env);
  // A testing aid: BKP_LSP_FAIL=textDocument/hover makes that request throw (crash isolation).
  const failing = new Set((opts.env.BKP_LSP_FAIL ?? "").split(",").filter(Boolean));
  wire(connection, ws, failing);
  // Whatever escapes a handler (a timer, a stream callback) is logged; the server goes on.
  process.on("uncaughtException", (e) => connection.console.error(`bkp lsp: ${e?.stack ?? String(e)}`));
  return new Promise((resolve) => {
    connection.onExit(() => resolve());
    connection.listen();
  });
}

function wire(connection: Connection, ws: Workspace, failing: Set<string>): void {
  const documents = new TextDocuments(TextDocument);
  const keyOf = (uri: string) => pathOf(uri) ?? uri;
  const uriFor = (path: string) => ws.docs.get(path)?.uri ?? uriOf(path);

  function guarded<P, R>(method: string, handler: (params: P) => R): (params: P) => R | ResponseError<void> {
    return (params: P) => {
      try {
        if (failing.has(method)) throw new Error(`failure injected by BKP_LSP_FAIL for ${method}`);
        return handler(params);
      } catch (e) {
        if (e instanceof ResponseError) return e as ResponseError<void>;
        const err = e as Error;
        connection.console.error(`bkp lsp: ${method} failed: ${err?.stack ?? String(e)}`);
        return new ResponseError<void>(ErrorCodes.InternalError, `bkp lsp: ${method} failed: ${err?.message ?? String(e)} (a bug in bkp; the server goes on)`);
      }
    };
  }

  /** The file, its parse and the offset of a request's position; undefined for files outside the set. */
  function at(p: TextDocumentPositionParams) {
    const path = keyOf(p.textDocument.uri);
    const doc = ws.docs.get(path);
    const set = checked(ws);
    const parsed = set.files.get(path);
    if (!doc || !parsed || !set.model) return undefined;
    return { path, doc, set, parsed, model: set.model, offset: doc.offsetAt(p.position) };
  }
  const nav = (p: TextDocumentPositionParams): NavInput | undefined => {
    const a = at(p);
    return a && { ast: a.parsed.ast, offset: a.offset, files: [...a.set.files.values()].map((f) => f.ast), uriFor };
  };

  let timer: NodeJS.Timeout | undefined;
  const published = new Map<string, string>();
  let shownConfigError: string | undefined;
  /** Checks the set, then lets requests that came meanwhile (a hover) go before the lint rules run. */
  function analyse(): void {
    try {
      checked(ws);
    } catch (e) {
      connection.console.error(`bkp lsp: checking failed: ${(e as Error)?.stack ?? String(e)}`);
    }
    timer = setTimeout(publish, 0);
  }
  function publish(): void {
    try {
      const byFile = diagnosticsByFile(linted(ws), [...ws.docs.keys(), ...published.keys()], uriFor);
      for (const [path, diagnostics] of byFile) {
        const key = JSON.stringify(diagnostics);
        if (published.get(path) === key) continue;
        if (diagnostics.length || ws.docs.has(path)) published.set(path, key);
        else published.delete(path);
        void connection.sendDiagnostics({ uri: uriFor(path), diagnostics });
      }
      if (ws.configError && ws.configError !== shownConfigError) void connection.window.showWarningMessage(ws.configError);
      shownConfigError = ws.configError;
    } catch (e) {
      connection.console.error(`bkp lsp: diagnostics failed: ${(e as Error)?.stack ?? String(e)}`);
    }
  }
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(analyse, DEBOUNCE_MS);
  };

  connection.onInitialize((params): InitializeResult => {
      const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
      for (const uri of folders) {
        const dir = pathOf(uri);
        if (dir) addRoot(ws, dir);
      }
      return {
        capabilities: {
          textDocumentSync: TextDocumentSyncKind.Incremental,
          hoverProvider: true,
          completionProvider: { triggerCharacters: ['"', " "] },
          definitionProvider: true,
          referencesProvider: true,
          renameProvider: { prepareProvider: true },
          documentSymbolProvider: true,
          documentFormattingProvider: true,
          codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
          foldingRangeProvider: true,
        },
        serverInfo: { name: "bkp" },
      };
  });
  connection.onInitialized(() => schedule());

  documents.onDidOpen((e) => {
    setDocument(ws, keyOf(e.document.uri), e.document);
    schedule();
  });
  documents.onDidChangeContent((e) => {
    setDocument(ws, keyOf(e.document.uri), e.document);
    schedule();
  });
  documents.onDidClose((e) => {
    closeDocument(ws, keyOf(e.document.uri));
    schedule();
  });
  connection.onDidChangeWatchedFiles((p) => {
    for (const c of p.changes) {
      const path = pathOf(c.uri);
      if (!path || !path.endsWith(".bkp")) continue;
      if (c.type === FileChangeType.Deleted && !ws.open.has(path)) {
        ws.docs.delete(path);
        ws.unreadable.delete(path);
        ws.generation++;
      } else fileChanged(ws, path);
    }
    schedule();
  });

  connection.onHover(
    guarded("textDocument/hover", (p) => {
      const a = at(p);
      return a ? (hover({ ast: a.parsed.ast, text: a.doc.getText(), offset: a.offset, model: a.model, now: ws.now(), textOf: (f) => textOf(ws, f), diagnostics: () => linted(ws) }) ?? null) : null;
    }),
  );
  connection.onCompletion(
    guarded("textDocument/completion", (p) => {
      const a = at(p);
      return a ? complete({ text: a.doc.getText(), offset: a.offset, model: a.model }) : [];
    }),
  );
  connection.onDefinition(guarded("textDocument/definition", (p) => { const n = nav(p); return n ? definition(n) : []; }));
  connection.onReferences(guarded("textDocument/references", (p) => { const n = nav(p); return n ? references(n, p.context.includeDeclaration) : []; }));
  connection.onPrepareRename(guarded("textDocument/prepareRename", (p) => { const n = nav(p); return (n && prepareRename(n)) ?? null; }));
  connection.onRenameRequest(
    guarded("textDocument/rename", (p) => {
      const n = nav(p);
      if (!n) throw new ResponseError(ErrorCodes.InvalidParams, "this file is not part of the policy set");
      return rename(n, p.newName);
    }),
  );
  connection.onDocumentSymbol(
    guarded("textDocument/documentSymbol", (p) => {
      const parsed = checked(ws).files.get(keyOf(p.textDocument.uri));
      return parsed ? documentSymbols(parsed.ast) : [];
    }),
  );
  connection.onFoldingRanges(
    guarded("textDocument/foldingRange", (p) => {
      const parsed = checked(ws).files.get(keyOf(p.textDocument.uri));
      return parsed ? foldingRanges(parsed.ast) : [];
    }),
  );
  connection.onDocumentFormatting(
    guarded("textDocument/formatting", (p) => {
      const path = keyOf(p.textDocument.uri);
      const doc = ws.docs.get(path);
      return doc ? formatDocument(path, doc) : [];
    }),
  );
  connection.onCodeAction(
    guarded("textDocument/codeAction", (p) =>
      codeActions({ path: keyOf(p.textDocument.uri), range: p.range, diagnostics: linted(ws), docOf: (f) => ws.docs.get(f), uriFor }),
    ),
  );

  documents.listen(connection);
}
