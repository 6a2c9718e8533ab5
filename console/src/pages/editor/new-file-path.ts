/**
 * Why a path typed for a new file cannot be taken, or undefined when it can. Only what is plainly
 * wrong is refused here (nothing typed, a file the draft already has); whether the service
 * accepts the path is for its save to say. `path` is as it will be kept: trimmed by the caller.
 */
export function newFilePathProblem(path: string, existing: Iterable<string>): string | undefined {
  if (path === "") return "Type the new file's path, e.g. lib/network.ts.";
  for (const file of existing) if (file === path) return `The draft already has ${path}.`;
  return undefined;
}
