/** Node's built-in module names (`node:module`'s builtinModules), put in by Vite at build time. */
declare const NODE_BUILTIN_MODULES: readonly string[];
