import { ADMIN_TOKEN, api, createTenant } from "../helpers/api";
import { uniqueRun } from "../helpers/emulator";
import { createJob, exampleLines, jobRun, readyDataset } from "../helpers/jobs";
import { deploy, deployRun, togetherStudent } from "../helpers/deployments";
import { assertNoSecretLeaked, registerSecret } from "../helpers/secrets";
import { WEBHOOK_HOST } from "../outbound/protocol";

/** One tenant as the probes use it: its id and a working key. */
export interface Party {
  id: string;
  key: string;
}

/** One resource of the owner's, made through the API. */
export interface Fixture {
  /** The values a path parameter of this kind can take for it: its id (and, for datasets, its name). */
  values: { label: string; value: string }[];
  /** The owner's own view of it: equal before and after another tenant's request, or something changed. */
  snapshot(): Promise<unknown>;
}

export interface FixtureContext {
  owner: Party;
  /** Written into every fixture's data, so a response that carries any of it is caught. */
  canary: string;
}

type Factory = (ctx: FixtureContext) => Promise<Fixture>;

/** The owner's GET of a resource, failing unless it is there to read. */
async function ownerRead(key: string, path: string) {
  const res = await api(path, { key });
  if (res.status !== 200) throw new Error(`owner read of ${path} failed: ${res.status} ${res.text}`);
  return res;
}

function created(res: { status: number; text: string; body: any }, what: string, status = 201) {
  if (res.status !== status) throw new Error(`${what} fixture failed: ${res.status} ${res.text}`);
  return res.body;
}

/** A program body any route that takes one accepts. */
export function programSpec(description: string) {
  return {
    description,
    prompt_template: "Answer about {topic}.",
    output_schema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] },
  };
}

/** Base the job fixture trains on: an open-weights provider, so no provider cutoff date applies. */
export const JOB_PROVIDER = { provider: "together", base_model: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference" } as const;

/**
 * Path parameter (`collection/:param`) → a factory that makes one such resource for the owner through
 * the API. A route taking an id slot that is missing here fails the suite: add the factory with the route.
 */
export const FIXTURES: Record<string, Factory> = {
  // The owner tenant itself: /admin routes take a tenant id.
  "tenants/:id": async ({ owner }) => ({
    values: [{ label: "tenant id", value: owner.id }],
    snapshot: async () =>
      (await api("/admin/tenants?limit=1000", { key: ADMIN_TOKEN })).body.data.find((t: { id: string }) => t.id === owner.id),
  }),

  "keys/:id": async ({ owner, canary }) => {
    const key = created(await api("/api/keys", { method: "POST", key: owner.key, json: { name: canary } }), "key");
    return {
      values: [{ label: "key id", value: key.id }],
      snapshot: async () => (await ownerRead(owner.key, "/api/keys")).body.data.find((k: { id: string }) => k.id === key.id),
    };
  },

  "documents/:id": async ({ owner, canary }) => {
    const res = await api("/api/documents", { method: "POST", key: owner.key, json: { title: canary, text: `Notes for ${canary}.` } });
    const doc = created(res, "document", 202).document;
    return {
      values: [{ label: "document id", value: doc.id }],
      snapshot: async () => (await ownerRead(owner.key, `/api/documents/${doc.id}`)).body,
    };
  },

  "programs/:name": async ({ owner, canary }) => {
    const name = `prog-${canary}`;
    created(await api("/api/programs", { method: "POST", key: owner.key, json: { name, ...programSpec(canary) } }), "program");
    return {
      values: [{ label: "program name", value: name }],
      snapshot: async () => (await ownerRead(owner.key, `/api/programs/${name}`)).body,
    };
  },

  // An open dataset with rows: freezing, cancelling, importing into or deleting it all show in its view.
  "datasets/:id": async ({ owner, canary }) => {
    const ds = created(await api("/api/datasets", { method: "POST", key: owner.key, json: { name: `ds-${canary}` } }), "dataset");
    const imported = await api(`/api/datasets/${ds.id}/import`, {
      method: "POST",
      key: owner.key,
      headers: { "Content-Type": "application/x-ndjson" },
      body: exampleLines(4, canary),
    });
    created(imported, "dataset import", 200);
    return {
      values: [
        { label: "dataset id", value: ds.id },
        { label: "dataset name", value: ds.name },
      ],
      snapshot: async () => (await ownerRead(owner.key, `/api/datasets/${ds.id}`)).body,
    };
  },

  "jobs/:id": async ({ owner, canary }) => {
    const run = uniqueRun("sec");
    await jobRun(run);
    const dataset = await readyDataset(owner.key);
    const job = created(await createJob(owner.key, run, { dataset: dataset.id, ...JOB_PROVIDER, suffix: canary }), "job");
    return {
      values: [{ label: "job id", value: job.id }],
      // The job moves on by itself (its alarms): compare what another tenant's cancel would change.
      snapshot: async () => {
        const view = (await ownerRead(owner.key, `/api/jobs/${job.id}`)).body;
        return { id: view.id, suffix: view.suffix, cancel_requested: view.cancel_requested, cancelled: view.state === "cancelled" };
      },
    };
  },

  // A Together student of the owner's (trained at the emulator, attached), and its deployment.
  "models/:id": async ({ owner }) => {
    const model = await ownerStudent(owner);
    return {
      values: [{ label: "model id", value: model }],
      snapshot: async () => ({
        model: (await ownerRead(owner.key, "/api/models")).body.models.find((m: { id: string }) => m.id === model),
        deployments: (await ownerRead(owner.key, "/api/deployments")).body.data,
        active: (await ownerRead(owner.key, "/api/models")).body.active_model,
      }),
    };
  },

  "deployments/:id": async ({ owner }) => {
    const model = await ownerStudent(owner);
    const run = uniqueRun("sec-deploy");
    await deployRun(run);
    const d = created(await deploy(owner.key, run, model), "deployment");
    return {
      values: [{ label: "deployment id", value: d.id }],
      // It moves on by itself (its alarm): compare what another tenant's stop would change.
      snapshot: async () => {
        const view = (await ownerRead(owner.key, `/api/deployments/${d.id}`)).body;
        return { id: view.id, model: view.model, stop_reason: view.stop_reason, stopping: view.state === "stopping" || view.state === "stopped" };
      },
    };
  },

  "evals/:id": async ({ owner }) => {
    const dataset = await readyDataset(owner.key, { examples: 8, evalFraction: 0.5 });
    const e = created(
      await api("/api/evals", { method: "POST", key: owner.key, json: { dataset: dataset.id, models: ["meta-llama/Llama-3.2-3B-Instruct"] } }),
      "eval",
      202,
    );
    return {
      values: [{ label: "eval id", value: e.id }],
      // Nothing delivers its tasks here: another tenant's cancel or delete is what would change it.
      snapshot: async () => {
        const view = (await ownerRead(owner.key, `/api/evals/${e.id}`)).body;
        return { id: view.id, status: view.status, dataset_id: view.dataset_id };
      },
    };
  },

  "webhooks/:id": async ({ owner, canary }) => {
    const url = `https://${WEBHOOK_HOST}/${canary}`;
    const endpoint = created(await api("/api/webhooks", { method: "POST", key: owner.key, json: { url, events: ["fine_tune.job.succeeded"] } }), "webhook");
    // Shown once, in the create answer: from here on the leak check looks for it everywhere.
    assertNoSecretLeaked();
    registerSecret(endpoint.secret);
    return {
      values: [{ label: "webhook endpoint id", value: endpoint.id }],
      // A rotation shows only in what is signed: the endpoint's deliveries would, so compare the endpoint and them.
      snapshot: async () => ({
        endpoint: (await ownerRead(owner.key, `/api/webhooks/${endpoint.id}`)).body,
        deliveries: (await ownerRead(owner.key, `/api/webhooks/${endpoint.id}/deliveries`)).body,
      }),
    };
  },

};

/** The owner's Together student (one per owner, shared by the model and deployment fixtures). */
const students = new Map<string, Promise<string>>();
function ownerStudent(owner: Party): Promise<string> {
  if (!students.has(owner.id)) {
    students.set(
      owner.id,
      (async () => {
        const run = uniqueRun("sec-student");
        await deployRun(run);
        return togetherStudent(owner.key, run);
      })(),
    );
  }
  return students.get(owner.id)!;
}

/** The tenant pair: the owner of every fixture and another tenant. */
export async function tenantPair(canary: string): Promise<{ owner: Party; intruder: Party }> {
  const [owner, intruder] = await Promise.all([createTenant(`owner-${canary}`), createTenant("intruder")]);
  return { owner, intruder };
}
