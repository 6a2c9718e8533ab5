import { useEffect, useState } from "react";

const DARK = "(prefers-color-scheme: dark)";

/** The system's colour scheme, followed as it changes: the editor's theme matches the page's. */
export function useColorScheme(): "light" | "dark" {
  const [dark, setDark] = useState(() => window.matchMedia(DARK).matches);
  useEffect(() => {
    const query = window.matchMedia(DARK);
    const changed = () => setDark(query.matches);
    query.addEventListener("change", changed);
    return () => query.removeEventListener("change", changed);
  }, []);
  return dark ? "dark" : "light";
}
