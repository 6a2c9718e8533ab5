/** The console's pages. Everything under /infrastructure is the app's: the server answers it with index.html. */
export const ROUTES = {
  signIn: "/infrastructure/sign-in",
  templates: "/infrastructure/templates",
  stacks: "/infrastructure/stacks",
  approvals: "/infrastructure/approvals",
  governance: "/infrastructure/governance",
} as const;

/** A stack's page. */
export function stackPath(name: string): string {
  return `${ROUTES.stacks}/${encodeURIComponent(name)}`;
}

/** A template's editor. */
export function templatePath(id: string): string {
  return `${ROUTES.templates}/${encodeURIComponent(id)}`;
}
