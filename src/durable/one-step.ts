/**
 * An object's alarm steps, one at a time. An alarm that arrives while a step runs (the safety net
 * firing during a slow provider call, a platform retry) waits for that step and keeps the alarm it
 * set, rather than stepping again at once. Used by every object that advances a provider-side
 * lifecycle with its alarm (FineTuneJob, ModelDeployment).
 */
export class OneStepAtATime {
  #steps: Promise<void> = Promise.resolve();
  #stepping = false;

  /** Whether a step is running now (a request can then leave a flag for it instead of acting). */
  get stepping(): boolean {
    return this.#stepping;
  }

  /** Runs `step` after any step in progress; while one runs, answers that one (it sets the next alarm itself). */
  run(step: () => Promise<void>): Promise<void> {
    if (this.#stepping) return this.#steps;
    const run = this.#steps.then(async () => {
      this.#stepping = true;
      try {
        await step();
      } finally {
        this.#stepping = false;
      }
    });
    this.#steps = run.catch(() => undefined);
    return run;
  }
}
