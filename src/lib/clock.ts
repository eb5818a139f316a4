/** Time comes from a Clock so tests can move it; only the system clock reads Date.now(). */
export interface Clock {
  now(): Date;
  /**
   * Waits `ms` of this clock's time, where the clock moves by itself (the system clock). A clock
   * that moves only when told (tests) has none: work that would wait hands its time to the job
   * queue instead.
   */
  sleep?(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A clock that stands still until told to move (tests, the simulator). */
export function createManualClock(start = new Date('2026-01-15T15:00:00Z')) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
    set(date: Date) {
      current = date.getTime();
    },
  };
}
