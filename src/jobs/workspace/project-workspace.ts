import { lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";

/** A stack settings file (`Pulumi.<stack>.yaml`): the service's own, never the user's. */
const STACK_SETTINGS = /^Pulumi\..+\.ya?ml$/;

/**
 * Makes `workspace` a view of the user's project directory `project`: a symbolic link to each of
 * its entries, except its stack settings files. The engine runs in the view and writes the
 * stack's settings (config, encryption salt) there, so the user's project is only ever read —
 * never a `Pulumi.<stack>.yaml` written into it, never a user's own settings file changed. Links,
 * not copies: a program's dependencies (node_modules, a virtualenv) are not copied per stack,
 * and an edit to the project shows at once. Kept in step on every job (a directory read).
 */
export function mirrorProject(project: string, workspace: string): void {
  mkdirSync(workspace, { recursive: true });
  const wanted = new Set(readdirSync(project).filter((name) => !STACK_SETTINGS.test(name)));
  for (const name of wanted) {
    const link = join(workspace, name);
    const target = join(project, name);
    if (linkTarget(link) === target) continue;
    rmSync(link, { recursive: true, force: true });
    symlinkSync(target, link);
  }
  for (const name of readdirSync(workspace))
    if (!wanted.has(name) && linkTarget(join(workspace, name)) !== undefined)
      rmSync(join(workspace, name), { force: true });
}

function linkTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}
