import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, bindings } from "../helpers/api";
import { caseArb, hostileSweep, oversizedCase, withHeaders, type Case } from "./cases";
import { describeCase, printTable, problemsOf, stageOf, type OperationTally } from "./outcome";
import { loadOperations, type Operation } from "./spec";
import { credentialFor, makeWorld, type World } from "./world";

/**
 * The fuzz suite (issue 14): every operation /openapi.json describes — a route added later too — gets
 * seeded requests: schema-valid ones with adversarial strings, and malformed ones (wrong types, missing
 * fields, huge and hostile strings, bad JSON, wrong media types, encoded path tricks, junk queries, a
 * body over the limit). Every answer must be under 500, one of the operation's declared statuses (the
 * router's own 404 and 405 aside) and, when an error, in the documented shape;
 * a rejected request must change nothing the tenant can see. Prints per operation the cases and the
 * share that got past parsing and past validation.
 *
 * The seed is fixed, so a run is repeatable; `FUZZ_SEED=<integer> npm test -- test/fuzz` tries others
 * (the seed is printed with the table; the ids of the tenant's resources differ between runs).
 */
const DEFAULT_SEED = 1414;
const SEED = /^-?\d+$/.test(process.env.FUZZ_SEED ?? "") ? Number(process.env.FUZZ_SEED) : DEFAULT_SEED;
/** Cases per operation (plus one oversized body where the operation takes a body). */
const CASES_PER_OPERATION = 50;
/** Of which at most this many sweep the hostile strings over the string fields (the rest are drawn by fast-check). */
const SWEEP_PER_OPERATION = 20;
/** Rejected requests between two looks at the tenant's state (a change is then pinned to one of them). */
const STATE_CHECK_EVERY = 10;
const MAX_BODY_BYTES = Number(bindings.MAX_BODY_BYTES) || 1024 * 1024;

// Reads first, deletes last: each operation has its own tenant, but a tenant's listing is shared.
const METHOD_ORDER = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const operations = (await loadOperations()).sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));
/** Per operation, in the order of `operations` (they finish in any order). */
const tallies: (OperationTally | undefined)[] = [];
let started = 0;

/** The operation's own seed: adding a route leaves every other operation's cases as they were. */
function seedFor(op: Operation): number {
  let h = SEED | 0;
  for (const ch of op.key) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

function casesFor(op: Operation, world: World): Case[] {
  const arb = fc.tuple(caseArb(op, world), withHeaders(op)).map(([c, headers]) => ({ ...c, headers: { ...headers, ...c.headers } }));
  const sweep = hostileSweep(op, world, SWEEP_PER_OPERATION);
  const cases = fc.sample(arb, { seed: seedFor(op), numRuns: CASES_PER_OPERATION - sweep.length });
  const over = oversizedCase(op, world, MAX_BODY_BYTES);
  return [...sweep, ...cases, ...(over ? [over] : [])];
}

beforeAll(() => {
  started = Date.now();
});

afterAll(() => {
  printTable(SEED, tallies, Date.now() - started);
});

describe("the fuzz suite", () => {
  it("reads every operation from /openapi.json", () => {
    expect(operations.length).toBeGreaterThan(30);
    expect(operations.map((o) => o.key)).toContain("POST /api/jobs/attach");
  });
});

/** Kinds a handler may well accept: the tenant's state is looked at just before them, so a change is pinned. */
const MAY_BE_ACCEPTED = new Set<Case["kind"]>(["hostile-sweep", "schema-valid", "adversarial-field", "query-junk"]);
/** Read-only operations run this many cases at once (they share one tenant, looked at before and after). */
const READ_CONCURRENCY = 8;

let readWorld: Promise<World> | undefined;

// Concurrent: each write operation has a tenant of its own and reads share one they never change, so
// operations cannot see each other's cases; running a few at once keeps workerd busy while others wait.
describe.concurrent("every operation, fuzzed", () => {
  it.for(operations.map((op) => [op.key, op] as const))("%s: no 5xx, errors in the documented shape, a rejected request changes nothing", { timeout: 120_000 }, async ([, op], { expect }) => {
    const readOnly = op.method === "GET";
    // Reads share a tenant; every write gets its own, so one operation's accepted writes never meet another's cases.
    const world = readOnly ? await (readWorld ??= makeWorld("reads")) : await makeWorld(`f${Math.abs(seedFor(op)).toString(36)}`);
    const key = credentialFor(op, world);
    const cases = casesFor(op, world);
    const tally: OperationTally = { key: op.key, cases: 0, parsed: 0, handled: 0, accepted: 0, unverified: 0, statuses: new Map(), declared: op.statuses };
    tallies[operations.indexOf(op)] = tally;
    const findings: string[] = [];
    let baseline = await world.snapshot();
    let unchecked: string[] = [];
    const checkState = async () => {
      const now = await world.snapshot();
      if (JSON.stringify(now) !== JSON.stringify(baseline)) {
        const before = baseline as unknown[];
        const at = (now as unknown[]).findIndex((v, i) => JSON.stringify(v) !== JSON.stringify(before[i]));
        const show = (v: unknown) => JSON.stringify(v).slice(0, 300);
        findings.push(
          `the tenant's state changed after rejected or read-only requests (${show(before[at])} → ${show((now as unknown[])[at])}):\n      ${unchecked.join("\n      ")}`,
        );
        baseline = now;
      }
      unchecked = [];
    };
    const send = async (c: Case) => {
      // settle: an accepted /openai/v1 request records its usage after answering; the next look must see it as this case's.
      const res = await api(c.url, { method: op.method, headers: c.headers, settle: true, ...(c.body === undefined ? {} : { body: c.body }), ...(key ? { key } : {}) });
      tally.cases++;
      tally.statuses.set(res.status, (tally.statuses.get(res.status) ?? 0) + 1);
      const stage = stageOf(res);
      if (stage !== "unparsed") tally.parsed++;
      if (stage === "handler") tally.handled++;
      if (res.status < 300) tally.accepted++;
      for (const p of problemsOf(res, op.path.startsWith("/openai/"))) findings.push(`${p}: ${describeCase(c, res)}`);
      // What the operation answers is in its spec; the router's own refusals (no route, another method) are no operation's.
      if (stage !== "unparsed" && !op.statuses.includes(res.status)) findings.push(`status ${res.status} is not in the operation's responses: ${describeCase(c, res)}`);
      if (res.status === 413 || res.status === 415) {
        if (!op.statuses.includes(res.status)) findings.push(`status ${res.status} is not in the operation's responses: ${describeCase(c, res)}`);
      }
      return res;
    };

    if (readOnly) {
      // A read changes nothing, accepted or not: one look before and one after.
      for (let i = 0; i < cases.length; i += READ_CONCURRENCY) {
        const batch = cases.slice(i, i + READ_CONCURRENCY);
        const answers = await Promise.all(batch.map(send));
        unchecked.push(...batch.map((c, j) => describeCase(c, answers[j])));
      }
      await checkState();
    } else {
      for (const c of cases) {
        if (MAY_BE_ACCEPTED.has(c.kind) && unchecked.length) await checkState();
        const res = await send(c);
        if (res.status < 300) {
          // Accepted: the state may move. Rejected cases since the last look cannot be told apart from it.
          tally.unverified += unchecked.length;
          unchecked = [];
          baseline = await world.snapshot();
        } else {
          unchecked.push(describeCase(c, res));
          if (unchecked.length >= STATE_CHECK_EVERY) await checkState();
        }
      }
      if (unchecked.length) await checkState();
    }

    expect(findings.length, `${findings.length} findings for ${op.key} (FUZZ_SEED=${SEED}):\n  ${findings.slice(0, 12).join("\n  ")}`).toBe(0);
    expect(tally.parsed / tally.cases, "at least half of the cases must parse").toBeGreaterThanOrEqual(0.5);
  });
});

describe("the run", () => {
  it("sent at least 2,000 cases", () => {
    expect(tallies.reduce((s, t) => s + (t?.cases ?? 0), 0)).toBeGreaterThanOrEqual(2000);
  });
});
