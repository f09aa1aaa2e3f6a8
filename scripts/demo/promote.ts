/**
 * Demo step: promote the winner by the rule, then ask it a question through `/openai/v1` with the
 * official `openai` SDK (changed only in baseURL and apiKey), printing which model answered.
 * It reads the newest eval's decision (the eval step's); when the rule said promote but the tenant
 * had auto_promote off, it switches with POST /api/models/active, naming the eval in the reason.
 */
import OpenAI from "openai";
import type { DistilleryClient } from "../lib/client.ts";
import { bold, dim, emulated, green, note, notYet, yellow } from "../lib/ui.ts";

export interface PromoteSummary {
  active: string;
  version: number;
  answeredBy: string | null;
  servedBy: string | null;
}

export async function promoteWinner(api: DistilleryClient, baseUrl: string, key: string, evalId?: string): Promise<PromoteSummary> {
  const rule = await api.get("/api/settings/promotion");
  note(
    `rule: ≥ ${rule.min_scored} questions scored, schema validity not below the incumbent's by more than ${rule.max_schema_validity_drop}, ` +
      `faithfulness paired difference's lower bound ≥ ${rule.min_faithfulness_lower_bound}, pairwise wins ≥ losses; auto_promote ${rule.auto_promote ? "on" : "off"}`,
  );
  const id = evalId ?? (await api.get("/api/evals?limit=1").catch(() => ({ data: [] }))).data?.[0]?.id;
  const ev = id ? await api.get(`/api/evals/${id}`) : null;
  const decision = ev?.decision ?? ev?.report?.decision ?? null;
  if (!decision) notYet("an eval with a decision (the evaluation step)");
  else {
    note(`eval ${bold(id)}: the rule says ${bold(decision.decision)} for ${decision.candidate ?? "no candidate"}`);
    for (const c of decision.conditions ?? []) note(`  ${c.passed ? green("✓") : yellow("✗")} ${c.name}: ${c.value ?? "not measured"} (threshold ${c.threshold ?? "—"})`);
    if (decision.decision === "promote" && !decision.applied && decision.candidate) {
      const switched = await api.post("/api/models/active", { model: decision.candidate, reason: `promotion rule, eval ${id}` }, { "Idempotency-Key": `demo-promote-${id}` });
      note(`switched by hand (auto_promote off): ${bold(switched.active_model.model)}, version ${switched.active_model.version}`);
    } else if (decision.applied) note(`promoted automatically (auto_promote on)`);
  }

  const registry = await api.get("/api/models");
  const active = registry.active_model;
  note(`active model: ${bold(active.model)} (${active.served_as}, version ${active.version}${active.eval_id ? `, eval ${active.eval_id}` : ""})`);

  // The application's side: the official SDK, pointed at Distillery.
  const client = new OpenAI({ baseURL: `${baseUrl}/openai/v1`, apiKey: key, maxRetries: 0 });
  const models = await client.models.list();
  note(`GET /openai/v1/models: ${models.data.length} models, among them ${models.data.slice(0, 3).map((m) => m.id).join(", ")}`);
  try {
    const { data, response } = await client.chat.completions
      .create({ model: "distillery:active", messages: [{ role: "user", content: "In one sentence: what does the field guide say about identifying birds by song?" }] })
      .withResponse();
    const by = response.headers.get("Distillery-Model");
    const servedBy = response.headers.get("Distillery-Served-By");
    note(`answered by ${bold(by ?? data.model)} ${dim(`(Distillery-Served-By: ${servedBy ?? "?"})`)}: ${emulated(JSON.stringify(data.choices[0]?.message?.content ?? "").slice(0, 160))}`);
    return { active: active.model, version: active.version, answeredBy: by ?? data.model, servedBy };
  } catch (err) {
    if (err instanceof OpenAI.NotFoundError) {
      notYet("POST /openai/v1/chat/completions (the serving issue)");
      return { active: active.model, version: active.version, answeredBy: null, servedBy: null };
    }
    throw err;
  }
}
