import { readFile } from "node:fs/promises";
import { extname, join, sep } from "node:path";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";

const gzip = promisify(gzipCallback);

/**
 * The web console's built files (`dist/console`, made by `npm run build`), served beside the API
 * on its port. Only GET and HEAD of the console's own paths are taken; everything else — every
 * API call — goes to the API as before. The files need no token: the API calls they make do.
 */
export interface ConsoleAssets {
  /** Whether the request is the console's to answer. */
  claims(request: AssetRequest): boolean;
  serve(request: AssetRequest, response: AssetResponse): void;
}

/** What is read of a request: HTTP/1.1's and HTTP/2's compatibility API both have it. */
export interface AssetRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** What is used of a response, likewise. */
export interface AssetResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: Buffer): unknown;
}

/** The client-side routes: any path under them is the app's page, so it gets index.html. */
const APP_ROUTES = ["/infrastructure"];
/** Vite names these by their content hash, so a name never changes meaning. */
const HASHED_DIR = "/assets/";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
};
/**
 * Text, which gzip shrinks to a third or less (the app's script: 412 KiB to 127 KiB), and the
 * editor's icon font (TrueType, uncompressed: to half).
 */
const COMPRESSIBLE = new Set([".html", ".js", ".css", ".json", ".map", ".svg", ".txt", ".ttf"]);

/**
 * The app loads its scripts and styles from this origin and talks only to it; nothing may frame
 * it. A user's token sits in sessionStorage, so an injected script must have nowhere to run from:
 * no inline script, no eval. Styles may be inline: the template editor (Monaco) writes its own
 * <style> elements and style attributes as it lays text out, and has no nonce to give them. The
 * editor's workers are files of the console's own (worker-src falls back to script-src 'self').
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export function consoleAssets(root: string): ConsoleAssets {
  // A hashed asset's content never changes, so it is compressed once. Only files that exist
  // get here, so the cache holds at most the build.
  const compressed = new Map<string, Buffer>();
  const compress = async (file: string, body: Buffer, immutable: boolean) => {
    const known = compressed.get(file);
    if (known !== undefined) return known;
    const zipped = await gzip(body);
    if (immutable) compressed.set(file, zipped);
    return zipped;
  };
  return {
    claims(request) {
      if (request.method !== "GET" && request.method !== "HEAD") return false;
      const path = pathOf(request.url);
      return (
        isPage(path) ||
        path.startsWith(HASHED_DIR) ||
        // The build's own top-level files (a favicon and the like), by their kind of content.
        (/^\/[\w.-]+$/.test(path) && CONTENT_TYPES[extname(path)] !== undefined)
      );
    },
    serve(request, response) {
      answer(root, request, response, compress).catch(() =>
        send(response, request, 500, plain("cannot read the console")),
      );
    },
  };
}

function isPage(path: string): boolean {
  return path === "/" || APP_ROUTES.some((route) => path === route || path.startsWith(`${route}/`));
}

/** Whether Accept-Encoding lets gzip through: named with a q above 0, or, unnamed, under `*`. */
function acceptsGzip(request: AssetRequest): boolean {
  const header = request.headers["accept-encoding"];
  const codings = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",")) {
    const [coding = "", ...params] = part.split(";").map((piece) => piece.trim().toLowerCase());
    const q = params.find((param) => param.startsWith("q="));
    codings.set(coding, q === undefined ? 1 : Number(q.slice(2)));
  }
  return (codings.get("gzip") ?? codings.get("*") ?? 0) > 0;
}

async function answer(
  root: string,
  request: AssetRequest,
  response: AssetResponse,
  compress: (file: string, body: Buffer, immutable: boolean) => Promise<Buffer>,
): Promise<void> {
  const path = pathOf(request.url);
  const page = isPage(path);
  const file = page ? join(root, "index.html") : insideRoot(root, path);
  if (file === undefined) return send(response, request, 404, plain("not found"));
  const body = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "EISDIR" || error.code === "ENOTDIR") return undefined;
    throw error;
  });
  if (body === undefined)
    return send(
      response,
      request,
      404,
      plain(page ? "the console is not built (npm run build)" : "not found"),
    );
  const immutable = path.startsWith(HASHED_DIR);
  const headers: Record<string, string> = {
    "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
  };
  if (extname(file) === ".html") headers["content-security-policy"] = CONTENT_SECURITY_POLICY;
  if (!COMPRESSIBLE.has(extname(file))) return send(response, request, 200, { headers, body });
  headers.vary = "accept-encoding";
  if (!acceptsGzip(request)) return send(response, request, 200, { headers, body });
  headers["content-encoding"] = "gzip";
  send(response, request, 200, { headers, body: await compress(file, body, immutable) });
}

/** The URL's path, query and fragment dropped; "" when it is not one. */
function pathOf(url: string | undefined): string {
  if (url === undefined || !url.startsWith("/")) return "";
  return url.split(/[?#]/, 1)[0] ?? "";
}

/**
 * The file `path` names under `root`, or undefined when it would be anywhere else: the path is
 * decoded first, so `%2e%2e` and `%2f` cannot smuggle a `..` past the check.
 */
function insideRoot(root: string, path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const segments = decoded.split("/").slice(1);
  if (segments.some((s) => s === "" || s === "." || s === ".." || s.includes("\\") || s.includes("\0")))
    return undefined;
  const file = join(root, ...segments);
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined;
}

interface Reply {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function plain(text: string): Reply {
  return { headers: { "content-type": "text/plain; charset=utf-8" }, body: Buffer.from(`${text}\n`) };
}

function send(response: AssetResponse, request: AssetRequest, status: number, reply: Reply): void {
  response.writeHead(status, {
    ...reply.headers,
    "content-length": String(reply.body.length),
    "x-content-type-options": "nosniff",
  });
  response.end(request.method === "HEAD" ? Buffer.alloc(0) : reply.body);
}
