// A blob vault's URL: account, container and folder, in both addressing styles. Pure, so the
// checker reports a bad URL in `bkp check` and the engine parses the same way when it opens it.

export interface BlobUrl {
  /** https://account.blob.core.windows.net or, path-style (emulators, IP hosts), http://127.0.0.1:10000/account */
  serviceUrl: string;
  account: string;
  container: string;
  /** Folder inside the container, without slashes at either end ("" for the container's root). */
  prefix: string;
  /** The SAS query string, without "?", when the URL carries one. */
  sas?: string;
  /** The URL without its SAS token: safe to print. */
  display: string;
}

/** Azure's rule for container names: 3–63 of a-z, 0-9 and single hyphens, starting with a letter or digit. */
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;

/** The URL's parts, or what is wrong with it (a sentence without the hint). */
export function parseBlobUrl(raw: string): BlobUrl | { problem: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { problem: `'${raw}' is not a URL` };
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return { problem: `a blob URL is https:// (http:// only for a local emulator), not ${u.protocol}` };
  const parts = u.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  // Path-style addressing (Azurite, other emulators, IP hosts) puts the account in the path.
  const hostStyle = /\.blob\./.test(u.hostname);
  const account = hostStyle ? u.hostname.split(".")[0] : parts.shift();
  const container = parts.shift();
  if (!account || !container) return { problem: `${u.origin}${u.pathname} names no container` };
  if (!CONTAINER_NAME.test(container)) return { problem: `'${container}' is not a valid container name (3–63 lower-case letters, digits and single hyphens)` };
  const serviceUrl = hostStyle ? u.origin : `${u.origin}/${account}`;
  const prefix = parts.join("/");
  const sas = u.search.length > 1 ? u.search.slice(1) : undefined;
  return { serviceUrl, account, container, prefix, sas, display: `${serviceUrl}/${container}${prefix ? `/${prefix}` : ""}` };
}
