/**
 * Fine-tune job polling: how many provider calls a job's alarm makes, and how late it notices the
 * end, under the shared cadence (src/durable/poll-cadence.ts: 15 s ×1.6 after each status change
 * to one poll a minute; near a provider's estimated end when it gives one; events read only when
 * the status changed) beside the cadence it replaced (15 s ×1.6 to a 5 min cap, ±10 %, events on
 * every poll) and fixed intervals. A simulation on emulated time, so it is exact and takes a
 * second: jobs validate for 60 s and queue for 60 s (each ±50 %), then train for the scenario's
 * time (±20 %), or fail validation ("bad file").
 *
 * Calls: the job read per poll, plus the events read (OpenAI and Together have one; Fireworks
 * none): on every poll before, only when the status changed now.
 * Estimate ("est."): while running, the provider says when it expects to finish (OpenAI's
 * `estimated_finish`, null outside running); modelled as the true end off by up to ±10 % of the
 * time then remaining (a job's own fixed error, so the estimate sharpens as the end nears).
 * Lag: from the job's end to the poll that sees it. "/min after 5": polls per minute once the
 * first 5 minutes are over (the aim: at most one).
 * `npm run bench:poll`. Environment: BENCH_POLL_JOBS (jobs per scenario, default 500).
 */
import { DEFAULT_CADENCE, nextPollDelayMs } from "../src/durable/poll-cadence.ts";
import { backoffMs } from "../src/lib/backoff.ts";
import { seededRandom as rng } from "./lib/corpus.ts";
import { quantile, table } from "./lib/stats.ts";

const JOBS = Number(process.env.BENCH_POLL_JOBS ?? 500);
/** Training minutes; 0 is a job whose file fails validation (it ends when validating does). */
const SCENARIOS_MIN = [0, 10, 30, 120, 480];

interface Job {
  /** Emulated ms at which each status begins: validating, queued, running; and the end. */
  changes: number[];
  end: number;
  /** This job's estimate error, a fraction of the time remaining (−0.1..0.1). */
  estimateError: number;
}

function makeJob(trainMin: number, random: () => number): Job {
  const validating = 60_000 * (0.5 + random());
  const queued = 60_000 * (0.5 + random());
  const running = trainMin * 60_000 * (0.8 + 0.4 * random());
  const estimateError = 0.2 * random() - 0.1;
  if (trainMin === 0) return { changes: [0], end: validating, estimateError };
  return { changes: [0, validating, validating + queued], end: validating + queued + running, estimateError };
}

/** The status index at time t (0 validating, 1 queued, 2 running, 3 finished). */
const statusAt = (job: Job, t: number) => (t >= job.end ? 3 : job.changes.filter((c) => c <= t).length - 1);

/** What the provider says at time t about the end: only while running, and only in the "est." scenarios. */
const estimateAt = (job: Job, t: number, withEstimate: boolean): number | null =>
  withEstimate && statusAt(job, t) === 2 ? job.end + job.estimateError * (job.end - t) : null;

interface Strategy {
  delay(pollsSinceChange: number, t: number, estimate: number | null, random: () => number): number;
  /** Events read on every poll (before) or only when the status changed (now). */
  eventsEveryPoll: boolean;
  /** Whether it reads the provider's estimate (else its rows are the same with or without one). */
  usesEstimate: boolean;
}

const fixed = (ms: number): Strategy => ({ delay: () => ms, eventsEveryPoll: true, usesEstimate: false });
const STRATEGIES: Record<string, Strategy> = {
  "shared cadence": {
    delay: (n, t, estimate, random) => nextPollDelayMs({ pollsSinceChange: n, nowMs: t, estimatedFinishMs: estimate }, DEFAULT_CADENCE, random),
    eventsEveryPoll: false,
    usesEstimate: true,
  },
  // The job cadence until this change (src/durable/fine-tune-job/schedule.ts at f7bfd29).
  "before (15 s→5 min)": {
    delay: (n, _t, _e, random) => backoffMs(n, { baseMs: 15_000, capMs: 300_000, factor: 1.6, jitter: 0.1 }, random),
    eventsEveryPoll: true,
    usesEstimate: false,
  },
  "fixed 15 s": fixed(15_000),
  "fixed 60 s": fixed(60_000),
  "fixed 5 min": fixed(300_000),
};

interface Outcome {
  calls: number;
  lagMs: number;
  /** Polls after the first 5 minutes, per minute of that time (NaN when the job ended sooner). */
  perMinuteAfter5: number;
}

/** Polls from the job's creation until one sees the end (the first poll after create, as a job's is). */
function simulate(job: Job, strategy: Strategy, withEstimate: boolean, random: () => number): Outcome {
  let t = 0;
  let calls = 0;
  let sinceChange = 0;
  let last = statusAt(job, 0);
  let estimate: number | null = null;
  let pollsAfter5 = 0;
  for (;;) {
    t += strategy.delay(sinceChange, t, estimate, random);
    if (t > 5 * 60_000) pollsAfter5++;
    const status = statusAt(job, t);
    const changed = status !== last;
    calls += 1 + (strategy.eventsEveryPoll || changed ? 1 : 0);
    if (status === 3) {
      const after = (t - 5 * 60_000) / 60_000;
      return { calls, lagMs: t - job.end, perMinuteAfter5: after > 1 ? pollsAfter5 / after : NaN };
    }
    sinceChange = changed ? 0 : sinceChange + 1;
    last = status;
    estimate = estimateAt(job, t, withEstimate);
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows: string[][] = [];
for (const minutes of SCENARIOS_MIN) {
  const jobs = Array.from({ length: JOBS }, (_, i) => makeJob(minutes, rng(1000 + i)));
  for (const [name, strategy] of Object.entries(STRATEGIES)) {
    for (const withEstimate of strategy.usesEstimate && minutes > 0 ? [false, true] : [false]) {
      const random = rng(7);
      const results = jobs.map((job) => simulate(job, strategy, withEstimate, random));
      const calls = results.map((r) => r.calls).sort((a, b) => a - b);
      const lags = results.map((r) => r.lagMs / 1000).sort((a, b) => a - b);
      const rates = results.map((r) => r.perMinuteAfter5).filter((r) => Number.isFinite(r));
      rows.push([
        minutes === 0 ? "bad file" : `${minutes} min`,
        strategy.usesEstimate && minutes > 0 ? `${name}${withEstimate ? ", est." : ", no est."}` : name,
        mean(calls).toFixed(0),
        String(quantile(calls, 0.95)),
        mean(lags).toFixed(0),
        quantile(lags, 0.95).toFixed(0),
        Math.max(...lags).toFixed(0),
        rates.length ? mean(rates).toFixed(2) : "–",
      ]);
    }
  }
}

console.log(
  `fine-tune job polling, ${JOBS} simulated jobs per training time (calls = job reads + event reads; lag = seconds from the job's end to the poll that sees it)\n`,
);
console.log(table(["training", "strategy", "calls mean", "calls p95", "lag mean s", "lag p95 s", "lag max s", "/min after 5"], rows));
