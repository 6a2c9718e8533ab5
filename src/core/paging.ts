/**
 * How many jobs one page of a job list holds: the service's default and its largest, which the
 * API and the CLI keep to as well.
 */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A problem with a page size, or undefined when a page may be that size. */
export function pageSizeProblem(pageSize: number): string | undefined {
  return Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= MAX_PAGE_SIZE
    ? undefined
    : `expected 1 to ${MAX_PAGE_SIZE}`;
}
