/**
 * `npm run bench:adversarial:ingest`: only the last part of bench:adversarial, the latency of other
 * requests while a 10 MB adversarial document ingests (bench/lib/ingest-latency.ts).
 * Environment: BENCH_ADV_INGEST_SHAPE (default "one character"), BENCH_ADV_INGEST_MB (10),
 * BENCH_ADV_INGEST_BOX_S (900), BENCH_PORT (8813), BENCH_INSPECTOR_PORT (9813), BENCH_ADV_INGEST_SOURCE
 * ("head": a snapshot of the last commit, the default; "worktree": the working tree). For a closer look:
 * BENCH_PROFILE=1 (the Worker's CPU profile, summarised), BENCH_PROFILE_FILE (the raw profile, as JSON) and
 * BENCH_LOG_FILE (every timed request: what, from, to, ms, on the profile's clock, as JSON).
 */
import { ingestLatency } from "./lib/ingest-latency.ts";
import { ADVERSARIAL_SHAPES, type AdversarialShape } from "../test/fixtures/adversarial.ts";

export function ingestOptions() {
  const shape = (process.env.BENCH_ADV_INGEST_SHAPE ?? "one character") as AdversarialShape;
  if (!(shape in ADVERSARIAL_SHAPES)) throw new Error(`unknown shape ${shape}`);
  const unit = ADVERSARIAL_SHAPES[shape];
  const bytes = Number(process.env.BENCH_ADV_INGEST_MB ?? 10) * 1e6;
  return {
    shape,
    chars: Math.round((bytes * unit.length) / Buffer.byteLength(unit)),
    port: Number(process.env.BENCH_PORT ?? 8813),
    inspectorPort: Number(process.env.BENCH_INSPECTOR_PORT ?? 9813),
    boxMs: Number(process.env.BENCH_ADV_INGEST_BOX_S ?? 900) * 1000,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ok = await ingestLatency(ingestOptions());
  process.exit(ok ? 0 : 1);
}
