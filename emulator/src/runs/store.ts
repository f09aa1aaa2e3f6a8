import { runConfigSchema, type RunConfig, type ScriptStep } from "./config";

export const DEFAULT_RUN = "default";

interface RunRow extends Record<string, SqlStorageValue> {
  name: string;
  config: string;
  configured: number;
  clock_real: number;
  clock_emulated: number;
  speed: number;
}

export interface Run {
  name: string;
  /** True once PUT; only configured runs are picked from an X-Request-Id prefix. */
  configured: boolean;
  config: RunConfig;
  clockReal: number;
  clockEmulated: number;
  speed: number;
}

export interface RunStats {
  requests: Record<string, number>;
  faults: Record<string, number>;
  rate_limited: number;
  script_consumed: Record<string, number>;
  tokens: { prompt: number; completion: number; total: number };
  /** Streams a `hang_stream` step held open: how many the caller cancelled. */
  streams: { held: number; cancelled: number };
}

/** Runs: configuration, emulated clock, stats, fault fingerprints and script consumption. */
export class RunStore {
  constructor(private readonly sql: SqlStorage) {}

  isConfigured(name: string): boolean {
    return this.sql.exec<{ c: number }>("SELECT COUNT(*) AS c FROM runs WHERE name = ? AND configured = 1", name).one().c > 0;
  }

  /** The run, created unconfigured (empty config, clock at real time) on first use. */
  get(name: string): Run {
    const row = this.sql.exec<RunRow>("SELECT * FROM runs WHERE name = ?", name).toArray()[0];
    if (row) {
      return {
        name,
        configured: row.configured === 1,
        config: runConfigSchema.parse(JSON.parse(row.config)),
        clockReal: row.clock_real,
        clockEmulated: row.clock_emulated,
        speed: row.speed,
      };
    }
    const now = Date.now();
    this.sql.exec("INSERT INTO runs (name, config, configured, clock_real, clock_emulated, speed) VALUES (?, '{}', 0, ?, ?, 1)", name, now, now);
    return { name, configured: false, config: {}, clockReal: now, clockEmulated: now, speed: 1 };
  }

  /** The run's emulated time in ms: real time since the anchor, scaled by speed, plus advances. */
  now(name: string): number {
    const run = this.get(name);
    return Math.floor(run.clockEmulated + (Date.now() - run.clockReal) * run.speed);
  }

  /** Replaces the config; the clock keeps its current reading and re-anchors at the new speed. */
  put(name: string, config: RunConfig): Run {
    const emulated = this.now(name);
    const real = Date.now();
    const speed = config.clock?.speed ?? 1;
    this.sql.exec(
      "UPDATE runs SET config = ?, configured = 1, clock_real = ?, clock_emulated = ?, speed = ? WHERE name = ?",
      JSON.stringify(config),
      real,
      emulated,
      speed,
      name,
    );
    // A new config starts a fresh fault schedule and script.
    this.sql.exec("DELETE FROM fingerprints WHERE run = ?", name);
    this.sql.exec("DELETE FROM script_use WHERE run = ?", name);
    return this.get(name);
  }

  delete(name: string): boolean {
    const existed = this.sql.exec("DELETE FROM runs WHERE name = ?", name).rowsWritten > 0;
    for (const table of ["run_stats", "fingerprints", "script_use"]) this.sql.exec(`DELETE FROM ${table} WHERE run = ?`, name);
    return existed;
  }

  advance(name: string, ms: number): number {
    this.get(name);
    this.sql.exec("UPDATE runs SET clock_emulated = clock_emulated + ? WHERE name = ?", ms, name);
    return this.now(name);
  }

  bump(run: string, kind: string, key: string, by = 1): void {
    this.sql.exec(
      "INSERT INTO run_stats (run, kind, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (run, kind, key) DO UPDATE SET value = value + excluded.value",
      run,
      kind,
      key,
      by,
    );
  }

  stats(run: string): RunStats {
    const stats: RunStats = { requests: {}, faults: {}, rate_limited: 0, script_consumed: {}, tokens: { prompt: 0, completion: 0, total: 0 }, streams: { held: 0, cancelled: 0 } };
    const rows = this.sql.exec<{ kind: string; key: string; value: number }>("SELECT kind, key, value FROM run_stats WHERE run = ?", run);
    for (const { kind, key, value } of rows) {
      if (kind === "requests") stats.requests[key] = value;
      else if (kind === "faults") stats.faults[key] = value;
      else if (kind === "script") stats.script_consumed[key] = value;
      else if (kind === "rate_limited") stats.rate_limited += value;
      else if (kind === "tokens" && (key === "prompt" || key === "completion" || key === "total")) stats.tokens[key] = value;
      else if (kind === "streams" && (key === "held" || key === "cancelled")) stats.streams[key] = value;
    }
    return stats;
  }

  /** How many times this fingerprint was seen before in the run (then counts this one). */
  nextOccurrence(run: string, hash: string): number {
    const row = this.sql
      .exec<{ seen: number }>(
        "INSERT INTO fingerprints (run, hash, seen) VALUES (?, ?, 1) ON CONFLICT (run, hash) DO UPDATE SET seen = seen + 1 RETURNING seen",
        run,
        hash,
      )
      .one();
    return row.seen - 1;
  }

  /**
   * Consumes one use of the first script step (in order) that is not exhausted, matches
   * the body and is applicable; returns it, or null when none is left.
   */
  consumeScript(run: Run, body: string, applicable: (step: ScriptStep) => boolean): ScriptStep | null {
    const script = run.config.script ?? [];
    if (script.length === 0) return null;
    const used = new Map<number, number>();
    for (const r of this.sql.exec<{ idx: number; used: number }>("SELECT idx, used FROM script_use WHERE run = ?", run.name)) used.set(r.idx, r.used);
    for (const [idx, step] of script.entries()) {
      if ((used.get(idx) ?? 0) >= step.times) continue;
      if (step.match !== undefined && !body.includes(step.match)) continue;
      if (!applicable(step)) continue;
      this.sql.exec(
        "INSERT INTO script_use (run, idx, used) VALUES (?, ?, 1) ON CONFLICT (run, idx) DO UPDATE SET used = used + 1",
        run.name,
        idx,
      );
      this.bump(run.name, "script", step.action);
      return step;
    }
    return null;
  }
}
