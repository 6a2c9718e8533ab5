import { useSyncExternalStore } from "react";

/** The user's choice of theme: the system's colour scheme, or one of the two whatever the system says. */
export type ThemeChoice = "system" | "light" | "dark";
export type ColorScheme = "light" | "dark";

export const THEME_CHOICES: readonly ThemeChoice[] = ["system", "light", "dark"];

/** Where the choice is kept, for every tab and every later visit; "system" is kept as nothing. */
const KEY = "stackwright.theme";
const DARK = "(prefers-color-scheme: dark)";

export function isThemeChoice(value: string): value is ThemeChoice {
  return (THEME_CHOICES as readonly string[]).includes(value);
}

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY) ?? "";
    return isThemeChoice(value) ? value : "system";
  } catch {
    // Storage refused (a privacy setting): the system's scheme.
    return "system";
  }
}

let choice: ThemeChoice = stored();
const listeners = new Set<() => void>();

/** On <html>, for styles/theme.css: `data-theme` set to the chosen scheme, absent for the system's. */
function apply(): void {
  const root = document.documentElement;
  if (choice === "system") delete root.dataset.theme;
  else root.dataset.theme = choice;
}

function changed(): void {
  apply();
  for (const listener of listeners) listener();
}

/**
 * Puts the kept choice on the page; called once, before the first render, so that the console
 * never shows in the other scheme first. A choice made in another tab is followed here.
 */
export function applyStoredTheme(): void {
  apply();
  window.addEventListener("storage", (event) => {
    if (event.key !== KEY && event.key !== null) return;
    choice = stored();
    changed();
  });
}

export function chooseTheme(next: ThemeChoice): void {
  choice = next;
  try {
    if (next === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, next);
  } catch {
    // Not kept: it holds for this page only.
  }
  changed();
}

function subscribe(listener: () => void): () => void {
  const query = window.matchMedia(DARK);
  listeners.add(listener);
  query.addEventListener("change", listener);
  return () => {
    listeners.delete(listener);
    query.removeEventListener("change", listener);
  };
}

export function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore(subscribe, () => choice);
}

/** The scheme the page shows now, the chosen one or the system's, as either changes. */
export function useColorScheme(): ColorScheme {
  return useSyncExternalStore(subscribe, () =>
    choice === "system" ? (window.matchMedia(DARK).matches ? "dark" : "light") : choice,
  );
}
