import { toFile } from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { OPENAPI_PATH } from "../../src/app";
import { api, createTenant } from "../helpers/api";
import { advanceClock, emulatorClient, uniqueRun } from "../helpers/emulator";
import { exampleLines, jobRun } from "../helpers/jobs";
import { deploy, deployRun, firstStepDone, togetherStudent } from "../helpers/deployments";
import { albumProgram } from "../programs/fixtures";

/**
 * The API's conventions, over every route at once: every list route /openapi.json documents pages as
 * OpenAI's (first page, after, before, has_more, limit bounds, unknown cursors refused), and every
 * resource carries `object` with its times in unix seconds, in the documented schemas and in real answers.
 */

type Schema = Record<string, any>;
const ndjson = { "Content-Type": "application/x-ndjson" };

let doc: Schema;
let key: string;
/** Each list route (as /openapi.json names it) → a concrete path with 3+ items to page through. */
const lists = new Map<string, string>();

beforeAll(async () => {
  doc = (await api(OPENAPI_PATH)).body;
  const t = await createTenant();
  key = t.key;
  for (let i = 0; i < 2; i++) expect((await api("/api/keys", { method: "POST", key, json: { name: `k${i}` } })).status).toBe(201);
  for (const name of ["alpha", "bravo", "charlie"]) {
    expect((await api("/api/programs", { method: "POST", key, json: albumProgram("tools", name) })).status).toBe(201);
    expect((await api("/api/documents", { method: "POST", key, json: { title: name, text: `${name} is a document about ${name}.` } })).status).toBe(202);
  }
  const datasets: string[] = [];
  for (const name of ["d1", "d2", "d3"]) datasets.push((await api("/api/datasets", { method: "POST", key, json: { name } })).body.id);
  const source = datasets[0]!;
  for (let i = 0; i < 3; i++) {
    expect((await api(`/api/datasets/${source}/import`, { method: "POST", key, headers: ndjson, body: exampleLines(2, `v${i}`) })).status).toBe(200);
    expect((await api(`/api/datasets/${source}/freeze`, { method: "POST", key })).status).toBe(200);
  }
  // Three finished jobs, attached from the emulator (their events: provider's and Distillery's).
  const run = uniqueRun("contract");
  await jobRun(run);
  const client = emulatorClient(run);
  const file = await client.files.create({ file: await toFile(new TextEncoder().encode(exampleLines(12, "contract")), "c.jsonl"), purpose: "fine-tune" });
  const providerJobs: string[] = [];
  for (let i = 0; i < 3; i++) providerJobs.push((await client.fineTuning.jobs.create({ model: "gpt-4o-mini-2024-07-18", training_file: file.id })).id);
  await advanceClock(run, 24 * 60 * 60_000);
  // Three webhook endpoints, subscribed before the jobs end: each job's event becomes a delivery to each.
  const endpoints: string[] = [];
  for (let i = 0; i < 3; i++) {
    const made = await api("/api/webhooks", { method: "POST", key, json: { url: `https://hooks.example.com/contract/${i}`, events: ["*"] } });
    expect(made.status, made.text).toBe(201);
    endpoints.push(made.body.id);
  }
  let jobId = "";
  for (const [i, providerJob] of providerJobs.entries()) {
    const attached = await api("/api/jobs/attach", { method: "POST", key, json: { provider: "openai", provider_job_id: providerJob }, headers: { "X-Request-Id": `${run}:attach-${i}` } });
    expect(attached.status, attached.text).toBe(201);
    jobId = attached.body.id;
  }
  // Three evals of a snapshot whose eval split holds several questions (nothing delivers their tasks here).
  const evalSource = (await api("/api/datasets", { method: "POST", key, json: { name: "d-evals", eval_fraction: 0.9 } })).body.id;
  expect((await api(`/api/datasets/${evalSource}/import`, { method: "POST", key, headers: ndjson, body: exampleLines(10, "evals") })).status).toBe(200);
  const evalSnapshot = (await api(`/api/datasets/${evalSource}/freeze`, { method: "POST", key })).body.id;
  let evalId = "";
  for (let i = 0; i < 3; i++) {
    const made = await api("/api/evals", { method: "POST", key, json: { dataset: evalSnapshot, models: ["meta-llama/Llama-3.2-3B-Instruct"] } });
    expect(made.status, made.text).toBe(202);
    evalId = made.body.id;
  }
  lists.set("/api/evals", "/api/evals");
  lists.set("/api/evals/{id}/rows", `/api/evals/${evalId}/rows`);
  lists.set("/api/keys", "/api/keys");
  lists.set("/api/programs", "/api/programs");
  lists.set("/api/documents", "/api/documents");
  lists.set("/api/datasets", "/api/datasets");
  lists.set("/api/datasets/{id}/snapshots", `/api/datasets/${source}/snapshots`);
  lists.set("/api/datasets/{id}/rows", `/api/datasets/${source}/rows`);
  lists.set("/api/jobs", "/api/jobs");
  lists.set("/api/jobs/{id}/events", `/api/jobs/${jobId}/events`);
  lists.set("/api/webhooks", "/api/webhooks");
  // Three deployments of one student, each failed at once by the emulator (so the next can be made).
  const deployRunName = uniqueRun("contract-deploy");
  await deployRun(deployRunName, { deployments: { provisioning_ms: 0, fail: "No capacity." } });
  const student = await togetherStudent(key, deployRunName);
  for (let i = 0; i < 3; i++) {
    const made = await deploy(key, deployRunName, student);
    expect(made.status, made.text).toBe(201);
    await firstStepDone(t.id, made.body.id);
  }
  lists.set("/api/deployments", "/api/deployments");
  lists.set("/api/webhooks/{id}/deliveries", `/api/webhooks/${endpoints[0]}/deliveries`);
});

/** Resolves a `$ref` to its component schema. */
function resolve(s: Schema | undefined): Schema | undefined {
  if (!s?.$ref) return s;
  return doc.components.schemas[(s.$ref as string).split("/").at(-1)!];
}

/** The JSON types a schema allows (through anyOf/oneOf, `type` arrays and refs). */
function typesOf(s: Schema | undefined): string[] {
  const r = resolve(s);
  if (!r) return [];
  const own = Array.isArray(r.type) ? r.type : r.type ? [r.type] : [];
  return [...own, ...[...(r.anyOf ?? []), ...(r.oneOf ?? [])].flatMap(typesOf), ...(r.nullable ? ["null"] : [])];
}

/** Every object schema in the document (components and inline), with where it was found. */
function objectSchemas(): { at: string; schema: Schema }[] {
  const out: { at: string; schema: Schema }[] = [];
  const seen = new Set<Schema>();
  const walk = (s: unknown, at: string) => {
    if (!s || typeof s !== "object" || seen.has(s as Schema)) return;
    seen.add(s as Schema);
    const schema = s as Schema;
    if (schema.properties) out.push({ at, schema });
    for (const [k, v] of Object.entries(schema)) walk(v, `${at}.${k}`);
  };
  walk(doc.components.schemas, "components");
  for (const [path, item] of Object.entries(doc.paths as Record<string, Schema>)) {
    for (const [method, op] of Object.entries(item)) walk(op.responses, `${method.toUpperCase()} ${path}`);
  }
  return out;
}

/** GET routes whose 200 answer is a list envelope. */
function documentedLists(): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Schema>)) {
    const schema = resolve(item.get?.responses?.["200"]?.content?.["application/json"]?.schema);
    const props = schema?.properties ?? {};
    if (props.data && props.has_more) out.push(path);
  }
  return out.sort();
}

function limitMax(path: string): number {
  const param = (doc.paths[path].get.parameters as Schema[]).find((p) => p.name === "limit");
  return resolve(param?.schema)!.maximum as number;
}

const ids = (body: { data: { id: string }[] }) => body.data.map((x) => x.id);

describe("the API's conventions", () => {
  it("documents every list route in OpenAI's list shape with limit, after and before, and this test covers each", () => {
    const found = documentedLists().filter((p) => !p.startsWith("/admin/"));
    expect(found).toEqual([...lists.keys()].sort());
    for (const path of found) {
      const schema = resolve(doc.paths[path].get.responses["200"].content["application/json"].schema)!;
      expect(Object.keys(schema.properties).sort(), path).toEqual(["data", "first_id", "has_more", "last_id", "object"]);
      const params = (doc.paths[path].get.parameters as Schema[]).map((p) => p.name);
      expect(params, path).toEqual(expect.arrayContaining(["limit", "after", "before"]));
    }
  });

  it("documents `object` on every resource and every time as unix seconds", () => {
    for (const { at, schema } of objectSchemas()) {
      const props = schema.properties as Record<string, Schema>;
      for (const [name, prop] of Object.entries(props)) {
        if (!name.endsWith("_at")) continue;
        const types = typesOf(prop).filter((t) => t !== "null");
        expect(types, `${at}.${name}`).toEqual(["integer"]);
      }
      if (props.id && props.created_at) expect(Object.keys(props), `${at} has id and created_at but no object`).toContain("object");
    }
  });

  it("pages every list: first page, after, before, has_more, and the walk gives every item once", async () => {
    for (const [route, path] of lists) {
      const all = await api(`${path}?limit=100`, { key });
      expect(all.status, `${route}: ${all.text}`).toBe(200);
      const every = ids(all.body);
      expect(every.length, route).toBeGreaterThanOrEqual(3);
      expect(all.body, route).toMatchObject({ object: "list", first_id: every[0], last_id: every.at(-1), has_more: false });

      const first = (await api(`${path}?limit=1`, { key })).body;
      expect(first, route).toMatchObject({ object: "list", first_id: every[0], last_id: every[0], has_more: true });
      const second = (await api(`${path}?limit=1&after=${first.last_id}`, { key })).body;
      expect(ids(second), route).toEqual([every[1]]);
      const back = (await api(`${path}?limit=1&before=${second.first_id}`, { key })).body;
      expect(back, route).toMatchObject({ first_id: every[0], has_more: false });
      const middle = (await api(`${path}?limit=5&before=${every.at(-1)}`, { key })).body;
      expect(ids(middle), route).toEqual(every.slice(-6, -1));

      const walked: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < every.length + 1; page++) {
        const body: any = (await api(`${path}?limit=2${after ? `&after=${after}` : ""}`, { key })).body;
        walked.push(...ids(body));
        if (!body.has_more) break;
        after = body.last_id;
      }
      expect(walked, route).toEqual(every);
    }
  });

  it("refuses limits out of bounds and cursors that are not in the list, with the standard 400", async () => {
    for (const [route, path] of lists) {
      const max = limitMax(route);
      const [one] = ids((await api(`${path}?limit=1`, { key })).body);
      for (const query of ["limit=0", `limit=${max + 1}`, "limit=x", "after=nope_123", "before=nope_123", "cursor=1", `after=${one}&before=${one}`]) {
        const res = await api(`${path}?${query}`, { key });
        expect(res.status, `${route}?${query}`).toBe(400);
        expect(res.body.error, `${route}?${query}`).toMatchObject({ code: expect.any(String), message: expect.any(String), request_id: expect.any(String) });
      }
      expect((await api(`${path}?limit=${max}`, { key })).status, route).toBe(200);
    }
  });

  it("answers every listed item with its `object` and its times in unix seconds", async () => {
    for (const [route, path] of lists) {
      const { data } = (await api(`${path}?limit=100`, { key })).body;
      for (const item of data as Record<string, unknown>[]) {
        expect(item.object, route).toEqual(expect.any(String));
        expect(item.object, route).not.toBe("list");
        expect(Number.isInteger(item.created_at), `${route}: created_at ${String(item.created_at)}`).toBe(true);
        for (const [k, v] of Object.entries(item)) if (k.endsWith("_at") && v !== null) expect(Number.isInteger(v), `${route}: ${k}`).toBe(true);
      }
    }
    const job = (await api(lists.get("/api/jobs")!, { key })).body.data[0];
    const full = (await api(`/api/jobs/${job.id}`, { key })).body;
    expect(full.object).toBe("fine_tuning.job");
    for (const [k, v] of Object.entries({ ...full, ...full.timings })) if (k.endsWith("_at") && v !== null) expect(Number.isInteger(v), `job ${k}`).toBe(true);
    for (const step of full.timeline) expect(Number.isInteger(step.at)).toBe(true);
  });
});
