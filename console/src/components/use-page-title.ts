import { useEffect } from "react";

/** The tab's title names the page, so that history and screen readers tell pages apart. */
export function usePageTitle(page: string): void {
  useEffect(() => {
    document.title = `${page} · Stackwright`;
  }, [page]);
}
