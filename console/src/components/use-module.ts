import { useEffect, useState } from "react";
import type { Loaded } from "./use-loaded";

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
 * up to 300 ms after its fallback showed (a page's, then the editor's own): the template editor
 * asked for its template that much later, and showed its code later still.
 */
export function useModule<T>(lazy: LazyModule<T>): Loaded<T> {
  // Kept with the module it is for: one component may be asked for another module (a route's
  // element of the same type, given another page), whose state is then its own.
  const [state, setState] = useState(() => ({ lazy, loaded: loadedOf(lazy) }));
  const loaded = state.lazy === lazy ? state.loaded : loadedOf(lazy);
  useEffect(() => {
    if (loaded.status !== "loading") return;
    let live = true;
    lazy.load().then(
      (value) => live && setState({ lazy, loaded: { status: "done", value } }),
      (error: unknown) => live && setState({ lazy, loaded: { status: "failed", problem: String(error) } }),
    );
    return () => {
      live = false;
    };
  }, [lazy, loaded.status]);
  return loaded;
}

function loadedOf<T>(lazy: LazyModule<T>): Loaded<T> {
  const module = lazy.loaded();
  return module === undefined ? { status: "loading" } : { status: "done", value: module };
}
