import { useEffect, useState } from "react";
import type { Loaded } from "../../components/use-loaded";

/** A module import()ed once, when first asked for. */
export interface LazyModule<T> {
  /** Starts the import, the first time, and gives its promise. */
  load(): Promise<T>;
  /** The module once it is in; undefined before. */
  loaded(): T | undefined;
}

export function lazyModule<T>(importer: () => Promise<T>): LazyModule<T> {
  let promise: Promise<T> | undefined;
  let module: T | undefined;
  return {
    load() {
      promise ??= importer().then((m) => {
        module = m;
        return m;
      });
      return promise;
    },
    loaded: () => module,
  };
}

/**
 * The module, rendered with as soon as it is in, and at once when it already is. React.lazy under
 * Suspense would suspend the first render even then, and React holds a boundary's content back for
 * up to 300 ms after its fallback showed: time the editor's first screen has no use for.
 */
export function useModule<T>(lazy: LazyModule<T>): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>(() => {
    const module = lazy.loaded();
    return module === undefined ? { status: "loading" } : { status: "done", value: module };
  });
  useEffect(() => {
    if (state.status !== "loading") return;
    let live = true;
    lazy.load().then(
      (value) => live && setState({ status: "done", value }),
      (error: unknown) => live && setState({ status: "failed", problem: String(error) }),
    );
    return () => {
      live = false;
    };
  }, [lazy, state.status]);
  return state;
}
