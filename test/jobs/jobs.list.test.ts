import { toFile } from "openai";
import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { advanceClock, emulatorClient, uniqueRun } from "../helpers/emulator";
import { exampleLines, jobRun } from "../helpers/jobs";

describe("GET /api/jobs", () => {
  it("pages newest first after and before an id, and filters by state", async () => {
    const { key } = await createTenant();
    const run = uniqueRun("ft-list");
    await jobRun(run);
    const client = emulatorClient(run);
    const file = await client.files.create({ file: await toFile(new TextEncoder().encode(exampleLines(12, "list")), "seed.jsonl"), purpose: "fine-tune" });
    const providerJobs: string[] = [];
    for (let i = 0; i < 3; i++) providerJobs.push((await client.fineTuning.jobs.create({ model: "gpt-4o-mini-2024-07-18", training_file: file.id })).id);
    await advanceClock(run, 24 * 60 * 60_000); // every one has finished
    const ids: string[] = [];
    for (const [i, providerJob] of providerJobs.entries()) {
      const attached = await api("/api/jobs/attach", { method: "POST", key, json: { provider: "openai", provider_job_id: providerJob }, headers: { "X-Request-Id": `${run}:attach-${i}` } });
      expect(attached.status, attached.text).toBe(201);
      ids.push(attached.body.id);
    }

    const first = await api("/api/jobs?limit=2", { key });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body).toMatchObject({ object: "list", first_id: first.body.data[0].id, last_id: first.body.data[1].id, has_more: true });
    const second = await api(`/api/jobs?limit=2&after=${first.body.last_id}`, { key });
    expect(second.body.data).toHaveLength(1);
    expect(second.body.has_more).toBe(false);
    const back = await api(`/api/jobs?limit=2&before=${second.body.first_id}`, { key });
    expect(back.body.data.map((j: { id: string }) => j.id)).toEqual(first.body.data.map((j: { id: string }) => j.id));
    const all = [...first.body.data, ...second.body.data].map((j: { id: string }) => j.id);
    expect(new Set(all)).toEqual(new Set(ids));

    const succeeded = await api("/api/jobs?state=succeeded", { key });
    expect(new Set(succeeded.body.data.map((j: { id: string }) => j.id))).toEqual(new Set(ids));
    expect((await api("/api/jobs?state=running", { key })).body.data).toEqual([]);
    expect((await api("/api/jobs?state=bogus", { key })).status).toBe(400);
    expect((await api("/api/jobs?limit=0", { key })).status).toBe(400);
    expect((await api("/api/jobs?after=ftj_nope", { key })).status).toBe(400);
    expect((await api(`/api/jobs?cursor=${ids[0]}`, { key })).status).toBe(400);

    // A job's events: newest first, paged after and before an event id, each an OpenAI event object.
    const all_events = (await api(`/api/jobs/${ids[0]}/events?limit=100`, { key })).body;
    expect(all_events.object).toBe("list");
    expect(all_events.data.length).toBeGreaterThan(2);
    const times = all_events.data.map((e: { created_at: number }) => e.created_at);
    expect(times).toEqual([...times].sort((a: number, b: number) => b - a));
    for (const e of all_events.data) expect(e).toMatchObject({ object: "fine_tuning.job.event", created_at: expect.any(Number) });
    const head = (await api(`/api/jobs/${ids[0]}/events?limit=2`, { key })).body;
    expect(head).toMatchObject({ has_more: true, first_id: all_events.data[0].id, last_id: all_events.data[1].id });
    const tail = (await api(`/api/jobs/${ids[0]}/events?limit=100&after=${head.last_id}`, { key })).body;
    expect(tail.data.map((e: { id: string }) => e.id)).toEqual(all_events.data.slice(2).map((e: { id: string }) => e.id));
    expect(tail.has_more).toBe(false);
    const older = (await api(`/api/jobs/${ids[0]}/events?limit=1&before=${tail.first_id}`, { key })).body;
    expect(older).toMatchObject({ first_id: all_events.data[1].id, has_more: true });
    expect((await api(`/api/jobs/${ids[0]}/events?after=${all_events.data[0].id}x`, { key })).status).toBe(400);
  });
});
