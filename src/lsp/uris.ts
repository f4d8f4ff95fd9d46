// File paths and the URIs clients use for them. Clients spell URIs differently (VS Code
// escapes ':' in drive letters); paths are the keys, each file keeps the URI the client gave.
import { fileURLToPath, pathToFileURL } from "node:url";

export function pathOf(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function uriOf(path: string): string {
  return pathToFileURL(path).href;
}
