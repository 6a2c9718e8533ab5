import type { ReactNode } from "react";

/** A problem, announced at once by screen readers. */
export function ErrorNotice({ children }: { children: ReactNode }) {
  return (
    <p className="notice notice-error" role="alert">
      {children}
    </p>
  );
}

/** Progress or a quiet outcome ("No stacks yet"), announced when it changes. */
export function StatusNotice({ children }: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}
