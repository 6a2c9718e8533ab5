import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import type { ServiceConfig } from "../config/service-config";

/**
 * Creates the directory of every file backend (`file://…`) the stacks use, the default
 * `<dataDir>/state` included: the engine refuses to log in to a directory that does not exist,
 * so the first job of a fresh data directory would fail.
 */
export function ensureFileBackends(config: ServiceConfig): void {
  for (const stack of config.stacks.values()) {
    const dir = fileBackendDir(stack.backend);
    if (dir !== undefined) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
}

/** The directory of a `file://` backend URL (`file:///srv/state`, `file://~/state`), if absolute. */
export function fileBackendDir(backend: string): string | undefined {
  if (!backend.startsWith("file://")) return undefined;
  const path = decodeURIComponent(backend.slice("file://".length).split("?")[0] ?? "");
  const dir = path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : path;
  return isAbsolute(dir) ? dir : undefined;
}
