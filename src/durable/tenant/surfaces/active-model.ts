import { ApiError } from "../../../errors";
import { nowIso } from "../../../lib/clock";
import { loadCatalog } from "../../../llm";
import { isRetired } from "../../../llm/retirement";
import type { ActivePointer } from "../../../serving/pointer";
import {
  appendVersion,
  currentVersion,
  pointerOf,
  syncedVersion,
  syncPointer,
  versionHistory,
  versionOf,
  type ActiveModelVersion,
  type ServingTarget,
} from "../active-model";
import { getRegisteredModel } from "../models";
import { promotionRule, setPromotionRule, storeDecision, storedDecision, type StoredDecision } from "../promotion";
import { decidePromotion, type PromotionEvidence, type PromotionRule } from "../../../promotion/rule";
import { Surface, surface, type TenantState } from "./surface";

/** What a change answers: the pointer now, whether this call changed it, whether KV holds it yet. */
export interface SwitchResult {
  pointer: ActivePointer;
  changed: boolean;
  /** False when the KV write failed; the object's alarm repairs it (serving still reads the old copy). */
  synced: boolean;
}

/**
 * The switch: the model the tenant is served by, its versions and history. The object decides
 * servability against its own registry in the same turn as it writes the version, so nothing that
 * is not servable ever becomes active; KV gets the copy after the write commits.
 */
export class ActiveModelSurface extends Surface {
  readonly #state: TenantState;

  constructor(state: TenantState) {
    super(state);
    this.#state = state;
  }

  /** The truth now (version 0, the teacher, when nothing was ever activated), and the history. */
  async view(): Promise<{ pointer: ActivePointer; synced: boolean; history: ActiveModelVersion[] }> {
    // A read repairs a copy that a failed write left behind, sooner than the alarm would.
    const synced = await syncPointer(this.#state);
    return { pointer: this.#pointer(), synced, history: versionHistory(this.sql) };
  }

  /**
   * Makes `model` the active one; activating the model already active changes nothing. Not `async`:
   * a refusal is thrown before any promise exists, so it crosses RPC as a plain throw.
   */
  activate(model: string, change: { action?: "activate" | "promote"; reason?: string | null; eval_id?: string | null } = {}): Promise<SwitchResult> {
    const target = this.#servable(model);
    const current = currentVersion(this.sql);
    if (sameTarget(current ? pointerOf(current) : this.#teacher(), target)) return this.#answer(false);
    appendVersion(
      this.sql,
      target,
      { action: change.action ?? "activate", reason: change.reason ?? null, eval_id: change.eval_id ?? null, prior_version: current?.version ?? null },
      nowIso(),
    );
    return this.#answer(true);
  }

  /**
   * Goes back to the model active before the current one (skipping any no longer servable), else to
   * the teacher; repeated, it walks further back. On the teacher with nothing before it, nothing changes.
   */
  rollback(reason?: string | null): Promise<SwitchResult> {
    const current = currentVersion(this.sql);
    let prior = current?.prior_version != null ? versionOf(this.sql, current.prior_version) : null;
    while (prior && !this.#stillServable(prior.model)) prior = prior.prior_version != null ? versionOf(this.sql, prior.prior_version) : null;
    const target: ServingTarget = prior ?? this.#teacher();
    if (!current || sameTarget(pointerOf(current), target)) return this.#answer(false);
    appendVersion(
      this.sql,
      { model: target.model, provider: target.provider, base_url: target.base_url, served_as: target.served_as },
      { action: "rollback", reason: reason ?? null, eval_id: prior?.eval_id ?? null, prior_version: prior?.prior_version ?? null },
      nowIso(),
    );
    return this.#answer(true);
  }

  /** The answer of a change, once KV has the copy (or the repair is armed). */
  async #answer(changed: boolean): Promise<SwitchResult> {
    const pointer = this.#pointer(); // this change's, whatever a concurrent one does meanwhile
    return { pointer, changed, synced: await syncPointer(this.#state) };
  }

  /** The tenant's promotion rule (the defaults until it sets one). */
  promotionRule(): PromotionRule {
    return promotionRule(this.sql);
  }

  setPromotionRule(rule: PromotionRule): PromotionRule {
    return setPromotionRule(this.sql, rule, nowIso());
  }

  /** The decision stored for an eval, or null. */
  decisionFor(evalId: string): StoredDecision | null {
    return storedDecision(this.sql, evalId);
  }

  /**
   * Applies the tenant's rule to an eval's evidence and stores the decision with each condition's
   * value; when the rule says promote and `auto_promote` is on, switches to the candidate in the
   * same turn, unless the incumbent the eval measured is no longer the active model or the candidate
   * cannot serve. Once per eval: a repeat answers the stored decision and switches nothing.
   */
  decide(evalId: string, evidence: PromotionEvidence): Promise<StoredDecision> {
    const stored = storedDecision(this.sql, evalId);
    if (stored) return Promise.resolve(stored);
    const rule = promotionRule(this.sql);
    const decision = decidePromotion(evidence, rule);
    let notApplied: string | null = null;
    let version: number | null = null;
    if (decision.decision === "keep") notApplied = "the rule keeps the incumbent";
    else if (!rule.auto_promote) notApplied = "auto_promote is off: POST /api/models/active to switch";
    else if (this.#pointer().model === evidence.candidate) notApplied = "the candidate is already the active model";
    else if (this.#pointer().model !== evidence.incumbent) notApplied = `the active model is no longer ${evidence.incumbent}, the incumbent this eval measured`;
    else {
      try {
        version = appendVersion(
          this.sql,
          this.#servable(evidence.candidate),
          { action: "promote", reason: "promotion rule", eval_id: evalId, prior_version: currentVersion(this.sql)?.version ?? null },
          nowIso(),
        ).version;
      } catch (err) {
        notApplied = err instanceof Error ? err.message : String(err);
      }
    }
    const result: StoredDecision = { ...decision, eval_id: evalId, applied: version !== null, not_applied_reason: notApplied, version, at: nowIso() };
    storeDecision(this.sql, result);
    return syncPointer(this.#state).then(() => result);
  }

  #pointer(): ActivePointer {
    const current = currentVersion(this.sql);
    return current ? pointerOf(current) : { ...this.#teacher(), version: 0, eval_id: null, updated_at: null };
  }

  #teacher(): ServingTarget {
    const catalog = loadCatalog(this.env);
    const teacher = catalog.defaults.teacher;
    return { model: teacher, provider: catalog.byId.get(teacher)?.provider ?? "openai", base_url: null, served_as: "teacher" };
  }

  /** Where `model` is served from, or the 404/409 that says why it cannot be. */
  #servable(model: string): ServingTarget {
    const registered = getRegisteredModel(this.sql, model);
    const catalog = loadCatalog(this.env);
    if (registered) {
      if (!registered.servable) {
        throw new ApiError("conflict", `Model ${model} is not servable yet: deploy it first.`, { details: { model, servable: false } });
      }
      const base = catalog.byId.get(registered.base_model);
      if (base && isRetired(base)) throw retired(model, base.retirement?.date ?? null);
      // base_url: null (the provider's own endpoint) until deployments record a dedicated one in the registry.
      return { model, provider: registered.provider, base_url: null, served_as: "student" };
    }
    const entry = catalog.byId.get(model);
    if (!entry) throw new ApiError("not_found", `No model ${model} in this tenant's registry or the catalog.`, { details: { model } });
    if (entry.kind !== "chat") throw new ApiError("bad_request", `Model ${model} is an ${entry.kind} model; only chat models can serve.`, { details: { model } });
    if (isRetired(entry)) throw retired(model, entry.retirement?.date ?? null);
    return { model, provider: entry.provider, base_url: null, served_as: model === catalog.defaults.teacher ? "teacher" : "student" };
  }

  #stillServable(model: string): boolean {
    try {
      this.#servable(model);
      return true;
    } catch {
      return false;
    }
  }
}
surface(ActiveModelSurface, "activeModel");

function sameTarget(a: ServingTarget, b: ServingTarget): boolean {
  return a.model === b.model && a.provider === b.provider && a.base_url === b.base_url;
}

function retired(model: string, date: string | null): ApiError {
  return new ApiError("conflict", `Model ${model} has shut down (${date}); it cannot serve.`, { details: { model, retired_on: date } });
}
