import { type DependencyList, useCallback, useEffect, useState } from "react";
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

/**
 * As useLoaded, and `reload` runs `load` again; a reload keeps the value shown until the new one
 * is in, so that a page does not blink back to "loading" after each change it makes.
 */
export function useReloadable<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
): { loaded: Loaded<T>; reload: () => void } {
  const [loaded, setLoaded] = useState<Loaded<T>>({ status: "loading" });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what `load` depends on; `generation` is a reload
  useEffect(() => {
    const abort = new AbortController();
    load(abort.signal).then(
      (value) => abort.signal.aborted || setLoaded({ status: "done", value }),
      (error: unknown) =>
        abort.signal.aborted || setLoaded({ status: "failed", problem: problemText(error) }),
    );
    return () => abort.abort();
  }, [...deps, generation]);
  return { loaded, reload };
}
