/**
 * The result a program runner fixture prints as its last line of JSON (the runners in
 * test/fixtures print the engine's own output, if any, before it).
 */
export function lastJsonLine<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split("\n").pop() as string) as T;
}
