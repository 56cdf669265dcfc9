/** One named condition a service needs before it is ready, e.g. `kafka` or `s3`. */
export interface CheckState {
  ok: boolean;
  /** Short, secret-free explanation shown on /readyz. */
  detail?: string | undefined;
}

/**
 * The readiness of a service as a set of named checks. Ready means every registered check
 * is ok; a check that was never reported counts as not ok, so a service is not ready
 * before it has proven each dependency once.
 */
export interface Readiness {
  set(name: string, ok: boolean, detail?: string): void;
  ready(): boolean;
  snapshot(): Record<string, CheckState>;
}

export function createReadiness(names: readonly string[]): Readiness {
  const checks = new Map<string, CheckState>(
    names.map((name) => [name, { ok: false, detail: 'not yet checked' }]),
  );
  return {
    set(name, ok, detail) {
      checks.set(name, { ok, detail });
    },
    ready: () => [...checks.values()].every((check) => check.ok),
    snapshot: () => Object.fromEntries(checks),
  };
}
