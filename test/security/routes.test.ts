import { afterAll, beforeAll, describe, expect, it } from "vitest";
import readme from "../../README.md?raw";
import { api, ADMIN_TOKEN, type ApiResponse } from "../helpers/api";
import { BODIES, bodyInit } from "./bodies";
import { FIXTURES, tenantPair, type Fixture, type Party } from "./fixtures";
import { fillPath, idSlot, routeInventory, type RouteInfo } from "./inventory";
import { README_REVOCATION_SENTENCE, REVOCATION_BOUND_MS, revocationClock, revokeElsewhere } from "./revocation";
import { printSummary } from "./report";

/**
 * The security suite, generated from the router (as unkey's common route tests are): every route
 * `createApp()` serves gets the same probes, so coverage grows with the router, not with memory.
 * Public routes are those whose OpenAPI operation declares no `security` (and the two that serve the
 * document itself); preflight `OPTIONS` is excluded by rule.
 */
const ROUTES = routeInventory();
const GUARDED = ROUTES.filter((r) => r.access !== "public");
const PUBLIC = ROUTES.filter((r) => r.access === "public");

const NO_CREDENTIAL = "no credential";
const REVOKED_CREDENTIAL = "revoked credential";
const OTHER_KIND = "other kind of credential";
const CREDENTIAL_PROBES = [NO_CREDENTIAL, REVOKED_CREDENTIAL, OTHER_KIND];
const ANOTHER_TENANTS_ID = "another tenant's id";

/** Probes a route is spared, each with its reason: at most 3, each printed. */
const EXEMPTIONS: { route: string; probe: string; reason: string }[] = [
  {
    route: "POST /admin/tenants/:id/keys",
    probe: ANOTHER_TENANTS_ID,
    reason: "the operator owns every tenant: an /admin route has no other owner whose id it could be handed",
  },
];

const isExempt = (route: RouteInfo, probe: string) => EXEMPTIONS.some((e) => e.route === route.key && e.probe === probe);
/** The path parameters of a route that name a resource (an enum such as a split names a choice). */
const idParams = (route: RouteInfo) => route.params.filter((p) => p.value === undefined);

/** A well-formed admin token that is not the deployment's: what the old one is after a rotation. */
const SUPERSEDED_ADMIN_TOKEN = `adm_superseded_${"0".repeat(32)}`;

const canary = `canary${crypto.randomUUID().slice(0, 8)}`;
let owner: Party;
let intruder: Party;
const fixtures = new Map<string, Fixture>();
/** Requests each route was sent, by probe. */
const sent = new Map<string, Map<string, number>>();

beforeAll(async () => {
  ({ owner, intruder } = await tenantPair(canary));
  const slots = new Set(ROUTES.flatMap((r) => idParams(r).map((p) => idSlot(r.path, p.name))));
  await Promise.all(
    [...slots].filter((s) => FIXTURES[s]).map(async (slot) => fixtures.set(slot, await FIXTURES[slot]!({ owner, canary }))),
  );
});

afterAll(() =>
  printSummary({ routes: ROUTES, sent, credentialProbes: CREDENTIAL_PROBES, ownershipProbe: ANOTHER_TENANTS_ID, exemptions: EXEMPTIONS }),
);

function fixtureFor(route: RouteInfo, param: string): Fixture {
  const fixture = fixtures.get(idSlot(route.path, param));
  if (!fixture) throw new Error(`no fixture factory for ${idSlot(route.path, param)} (${route.key})`);
  return fixture;
}

/** The owner's values for every path parameter of the route, with `override` for some. */
function ownerValues(route: RouteInfo, override: Record<string, string> = {}): Record<string, string> {
  const values: Record<string, string> = {};
  for (const p of route.params) values[p.name] = p.value ?? fixtureFor(route, p.name).values[0]!.value;
  return { ...values, ...override };
}

/** Sends the route's request (its minimal valid body included) with `credential`, counted under `probe`. */
async function probe(route: RouteInfo, name: string, credential: string | undefined, values = ownerValues(route)): Promise<ApiResponse> {
  const perRoute = sent.get(route.key) ?? new Map<string, number>();
  sent.set(route.key, perRoute.set(name, (perRoute.get(name) ?? 0) + 1));
  const init = bodyInit(BODIES[route.key]);
  return api(fillPath(route.path, values), {
    method: route.method,
    ...init,
    ...(credential === undefined ? {} : { key: credential }),
  });
}

/** A refusal: the status and code asked for, an error body only, and none of the owner's data (each checked softly, so all are reported). */
function expectRefused(res: ApiResponse, status: number, code: string, opts: { probed?: string } = {}) {
  const check = expect.soft;
  const what = opts.probed ? `with ${opts.probed}: ` : "";
  check(res.status, `${what}${res.text}`).toBe(status);
  check(Object.keys(res.body as object), `${what}${res.text}`).toEqual(["error"]);
  check(res.body?.error?.code, `${what}${res.text}`).toBe(code);
  // The probed id may be echoed ("No dataset ds-…"); nothing else of the owner's may be.
  const shown = opts.probed ? res.text.replaceAll(opts.probed, "") : res.text;
  check(shown, `${what}the refusal carries the owner's data`).not.toContain(canary);
}

/**
 * A key of the owner's that worked (so anything that caches it has it), then was revoked in another
 * isolate (this one's cache is not told: only the bound protects it).
 */
async function revokedKey(): Promise<string> {
  const issued = await api("/api/keys", { method: "POST", key: owner.key, json: { name: "to-revoke" } });
  expect(issued.status).toBe(201);
  expect((await api("/api/keys", { key: issued.body.key })).status).toBe(200);
  await revokeElsewhere(owner.id, issued.body.id, issued.body.key);
  return issued.body.key;
}

describe("the route inventory", () => {
  it("finds routes of each kind, and guards every /api, /openai and /admin route", () => {
    expect(GUARDED.filter((r) => r.access === "tenant").length).toBeGreaterThan(0);
    expect(GUARDED.filter((r) => r.access === "admin").length).toBeGreaterThan(0);
    expect(PUBLIC.filter((r) => /^\/(api|openai|admin)\//.test(r.path)).map((r) => r.key)).toEqual([]);
    for (const r of GUARDED) expect(r.access, r.key).toBe(r.path.startsWith("/admin/") ? "admin" : "tenant");
  });

  it("has a fixture factory for every id a route takes, and a body for every route that needs one", () => {
    const missing = GUARDED.flatMap((r) => [
      ...idParams(r)
        .map((p) => idSlot(r.path, p.name))
        .filter((slot) => !FIXTURES[slot])
        .map((slot) => `${r.key}: no fixture factory for ${slot}`),
      ...(r.bodyRequired && !BODIES[r.key] ? [`${r.key}: no minimal body`] : []),
    ]);
    expect(missing).toEqual([]);
  });

  it("exempts at most 3 probes, each of a route that exists", () => {
    expect(EXEMPTIONS.length).toBeLessThanOrEqual(3);
    for (const e of EXEMPTIONS) expect(ROUTES.map((r) => r.key), e.route).toContain(e.route);
  });

  it("probes revocation within the bound the README states", () => {
    expect(REVOCATION_BOUND_MS).toBe(30_000);
    expect(readme.replace(/\s+/g, " ")).toContain(README_REVOCATION_SENTENCE);
  });
});

// Reads first, deletes last; another tenant's ids before credentials: a probe that found a hole and
// changed something cannot hide a later probe's finding behind a missing fixture.
const METHOD_ORDER = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const byMethod = (routes: RouteInfo[]) => [...routes].sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));
const OWNED = byMethod(GUARDED.filter((r) => idParams(r).length > 0 && !isExempt(r, ANOTHER_TENANTS_ID)));

describe.each(OWNED.map((r) => [r.key, r] as const))("%s: another tenant's ids", (_key, route) => {
  it("answers 404 to another tenant's ids, with none of the owner's data, and changes nothing of the owner's", async () => {
    for (const param of idParams(route)) {
      const fixture = fixtureFor(route, param.name);
      // Soft: every id of the kind (a dataset's id and its name) is probed even after one finds a hole.
      for (const { label, value } of fixture.values) {
        const before = await fixture.snapshot();
        const res = await probe(route, ANOTHER_TENANTS_ID, intruder.key, ownerValues(route, { [param.name]: value }));
        // Under /openai, OpenAI's own code for a model the caller may not use.
        expectRefused(res, 404, route.path.startsWith("/openai/v1/models/") ? "model_not_found" : "not_found", { probed: value });
        expect.soft(await fixture.snapshot(), `with ${label} ${value}: the owner's resource changed`).toEqual(before);
      }
    }
  });
});

describe.each(byMethod(GUARDED.filter((r) => r.access === "tenant")).map((r) => [r.key, r] as const))("%s: credentials", (_key, route) => {
  it("answers 401 without a key", async () => {
    expectRefused(await probe(route, NO_CREDENTIAL, undefined), 401, "unauthorized");
  });

  it(`answers 401 to a key revoked ${REVOCATION_BOUND_MS} ms before (the README's bound)`, async () => {
    const key = await revokedKey();
    const revokedAt = revocationClock.now();
    revocationClock.advance(REVOCATION_BOUND_MS);
    expect(revocationClock.now() - revokedAt).toBeGreaterThanOrEqual(REVOCATION_BOUND_MS);
    expectRefused(await probe(route, REVOKED_CREDENTIAL, key), 401, "unauthorized");
  });

  it("answers 401 to the admin token", async () => {
    expectRefused(await probe(route, OTHER_KIND, ADMIN_TOKEN), 401, "unauthorized");
  });
});

describe.each(byMethod(GUARDED.filter((r) => r.access === "admin")).map((r) => [r.key, r] as const))("%s: credentials", (_key, route) => {
  it("answers 401 without the admin token", async () => {
    expectRefused(await probe(route, NO_CREDENTIAL, undefined), 401, "unauthorized");
  });

  it("answers 401 to a superseded admin token", async () => {
    expectRefused(await probe(route, REVOKED_CREDENTIAL, SUPERSEDED_ADMIN_TOKEN), 401, "unauthorized");
  });

  it("answers 403 to a tenant key", async () => {
    expectRefused(await probe(route, OTHER_KIND, owner.key), 403, "forbidden");
  });
});

describe("the suite", () => {
  it("sent every guarded route its probes", () => {
    const expected = new Map<string, Record<string, number>>();
    for (const r of GUARDED) {
      const probes: Record<string, number> = Object.fromEntries(CREDENTIAL_PROBES.map((p) => [p, 1]));
      if (!isExempt(r, ANOTHER_TENANTS_ID)) {
        const n = idParams(r).reduce((sum, p) => sum + fixtureFor(r, p.name).values.length, 0);
        if (n > 0) probes[ANOTHER_TENANTS_ID] = n;
      }
      expected.set(r.key, probes);
    }
    const actual = new Map([...sent].map(([k, m]) => [k, Object.fromEntries(m)]));
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
  });
});
