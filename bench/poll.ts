/**
 * Fine-tune job polling: how many provider calls a job's alarm makes, and how late it notices the
 * end, under Distillery's cadence (src/durable/fine-tune-job/schedule.ts: 15 s after each status change, ×1.6 to a
 * 5 min cap, ±10 % jitter) beside fixed intervals. A simulation on emulated time, so it is exact
 * and takes a second: jobs validate for 60 s and queue for 60 s (each ±50 %), then train for the
 * scenario's time (±20 %), or fail validation ("bad file"); each poll reads the job and its events
 * (2 calls on OpenAI and Together).
 * `npm run bench:poll`. Environment: BENCH_POLL_JOBS (jobs per scenario, default 500).
 */
import { DEFAULT_CADENCE, pollDelayMs } from "../src/durable/fine-tune-job/schedule.ts";
import { seededRandom as rng } from "./lib/corpus.ts";
import { quantile, table } from "./lib/stats.ts";

const JOBS = Number(process.env.BENCH_POLL_JOBS ?? 500);
const CALLS_PER_POLL = 2;
/** Training minutes; 0 is a job whose file fails validation (it ends when validating does). */
const SCENARIOS_MIN = [0, 10, 30, 120, 480];

interface Job {
  /** Emulated ms at which each status begins: validating, queued, running; and the end. */
  changes: number[];
  end: number;
}

function makeJob(trainMin: number, random: () => number): Job {
  const validating = 60_000 * (0.5 + random());
  const queued = 60_000 * (0.5 + random());
  const running = trainMin * 60_000 * (0.8 + 0.4 * random());
  if (trainMin === 0) return { changes: [0], end: validating };
  return { changes: [0, validating, validating + queued], end: validating + queued + running };
}

/** The status index at time t (0 validating, 1 queued, 2 running, 3 finished). */
const statusAt = (job: Job, t: number) => (t >= job.end ? 3 : job.changes.filter((c) => c <= t).length - 1);

type Strategy = (pollsSinceChange: number, random: () => number) => number;

const STRATEGIES: Record<string, Strategy> = {
  distillery: (n, random) => pollDelayMs(n, DEFAULT_CADENCE, random),
  "fixed 15 s": () => 15_000,
  "fixed 60 s": () => 60_000,
  "fixed 5 min": () => 300_000,
};

/** Polls from the first (15 s after create, as a job's first poll) until one sees the end. */
function simulate(job: Job, strategy: Strategy, random: () => number): { polls: number; lagMs: number } {
  let t = 0;
  let polls = 0;
  let sinceChange = 0;
  let last = statusAt(job, 0);
  for (;;) {
    t += strategy(sinceChange, random);
    polls++;
    const status = statusAt(job, t);
    if (status === 3) return { polls, lagMs: t - job.end };
    sinceChange = status === last ? sinceChange + 1 : 0;
    last = status;
  }
}

const rows: string[][] = [];
for (const minutes of SCENARIOS_MIN) {
  const jobs = Array.from({ length: JOBS }, (_, i) => makeJob(minutes, rng(1000 + i)));
  for (const [name, strategy] of Object.entries(STRATEGIES)) {
    const random = rng(7);
    const results = jobs.map((job) => simulate(job, strategy, random));
    const calls = results.map((r) => r.polls * CALLS_PER_POLL).sort((a, b) => a - b);
    const lags = results.map((r) => r.lagMs / 1000).sort((a, b) => a - b);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    rows.push([
      minutes === 0 ? "bad file" : `${minutes} min`,
      name,
      mean(calls).toFixed(0),
      String(quantile(calls, 0.95)),
      mean(lags).toFixed(0),
      quantile(lags, 0.95).toFixed(0),
      Math.max(...lags).toFixed(0),
    ]);
  }
}

console.log(`fine-tune job polling, ${JOBS} simulated jobs per training time (calls = polls × ${CALLS_PER_POLL}; lag = seconds from the job's end to the poll that sees it)\n`);
console.log(table(["training", "strategy", "calls mean", "calls p95", "lag mean s", "lag p95 s", "lag max s"], rows));
