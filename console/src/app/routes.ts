/** The console's pages. Everything under /infrastructure is the app's: the server answers it with index.html. */
export const ROUTES = {
  signIn: "/infrastructure/sign-in",
  templates: "/infrastructure/templates",
  stacks: "/infrastructure/stacks",
} as const;
