import { builtinModules } from "node:module";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Run as `vite build console`: paths here are relative to console/.
export default defineConfig({
  plugins: [react()],
  // For the template editor's TypeScript: the modules a template may import from Node itself.
  define: { NODE_BUILTIN_MODULES: JSON.stringify(builtinModules.filter((name) => !name.startsWith("_"))) },
  // Absolute asset URLs: index.html is also the page of every deep route (/infrastructure/...).
  base: "/",
  build: {
    outDir: "../dist/console",
    emptyOutDir: true,
    target: "es2022",
    // The budget test (test/console/bundle-budget.test.ts) is the check that counts.
    reportCompressedSize: false,
    // Monaco and TypeScript's worker are megabytes by nature; they load lazily, with the editor,
    // and the budget test keeps them out of the first page. Vite's warning would only repeat that.
    chunkSizeWarningLimit: 8 * 1024,
  },
});
