import { type DependencyList, useEffect, useState } from "react";
import { problemText } from "../api/problem";

export type Loaded<T> =
  | { readonly status: "loading" }
  | { readonly status: "done"; readonly value: T }
  | { readonly status: "failed"; readonly problem: string };

/**
 * Runs `load` when `deps` change and gives its outcome; a load overtaken by a newer one (or by
 * leaving the page) is aborted and its outcome dropped.
 */
export function useLoaded<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ status: "loading" });
  useEffect(() => {
    const abort = new AbortController();
    setLoaded({ status: "loading" });
    load(abort.signal).then(
      (value) => abort.signal.aborted || setLoaded({ status: "done", value }),
      (error: unknown) =>
        abort.signal.aborted || setLoaded({ status: "failed", problem: problemText(error) }),
    );
    return () => abort.abort();
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what `load` depends on
  }, deps);
  return loaded;
}
