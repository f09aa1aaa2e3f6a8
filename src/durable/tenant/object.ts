import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../../env";
import { configureClock } from "../../lib/clock";
import { throwsAcrossRpc } from "../rpc-errors";
import { migrate } from "../sql-migrations";
import { countTrips, TripCounter } from "../trips";
import { TENANT_MIGRATIONS } from "./schema";
import { repairPointer } from "./active-model";
import { ActiveModelSurface } from "./surfaces/active-model";
import { DatasetsSurface } from "./surfaces/datasets";
import { DocumentsSurface } from "./surfaces/documents";
import { EvalsSurface } from "./surfaces/evals";
import { GenerationSurface } from "./surfaces/generation";
import { IdempotencySurface } from "./surfaces/idempotency";
import { IngestSurface } from "./surfaces/ingest";
import { JobsSurface } from "./surfaces/jobs";
import { KeysSurface } from "./surfaces/keys";
import { ModelsSurface } from "./surfaces/models";
import { DeploymentsSurface } from "./surfaces/deployments";
import { ProfileSurface } from "./surfaces/profile";
import { ProgramsSurface } from "./surfaces/programs";
import { RecoverySurface } from "./surfaces/recovery";
import type { TenantState } from "./surfaces/surface";
import { UsageSurface } from "./surfaces/usage";
import { WebhooksSurface } from "./surfaces/webhooks";
import { deliverDue } from "./webhook-outbox";

/**
 * One tenant's own database (SQLite), addressed by tenant id. It speaks in use cases: each
 * area is an RPC surface it hands out (`stub.documents()`, an RpcTarget), whose methods each
 * do one thing the callers decide as one (plan a generation, begin or finish a step).
 * Callers reach it through a TenantHandle, which opens each surface once and disposes it.
 */
export class Tenant extends DurableObject<Bindings> {
  /** Every RPC entry into this object and its surfaces (see trips.ts); tests read it with runInDurableObject. */
  readonly trips = new TripCounter();
  readonly #state: TenantState;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    configureClock(env);
    this.#state = { sql: ctx.storage.sql, storage: ctx.storage, env, trips: this.trips };
    ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql, TENANT_MIGRATIONS));
  }

  profile(): ProfileSurface {
    return new ProfileSurface(this.#state);
  }

  keys(): KeysSurface {
    return new KeysSurface(this.#state);
  }

  documents(): DocumentsSurface {
    return new DocumentsSurface(this.#state);
  }

  ingest(): IngestSurface {
    return new IngestSurface(this.#state);
  }

  programs(): ProgramsSurface {
    return new ProgramsSurface(this.#state);
  }

  datasets(): DatasetsSurface {
    return new DatasetsSurface(this.#state);
  }

  generation(): GenerationSurface {
    return new GenerationSurface(this.#state);
  }

  usage(): UsageSurface {
    return new UsageSurface(this.#state);
  }

  jobs(): JobsSurface {
    return new JobsSurface(this.#state);
  }

  models(): ModelsSurface {
    return new ModelsSurface(this.#state);
  }

  idempotency(): IdempotencySurface {
    return new IdempotencySurface(this.#state);
  }

  recovery(): RecoverySurface {
    return new RecoverySurface(this.#state);
  }

  webhooks(): WebhooksSurface {
    return new WebhooksSurface(this.#state);
  }

  deployments(): DeploymentsSurface {
    return new DeploymentsSurface(this.#state);
  }

  evals(): EvalsSurface {
    return new EvalsSurface(this.#state);
  }

  activeModel(): ActiveModelSurface {
    return new ActiveModelSurface(this.#state);
  }

  /** The one alarm: the webhook outbox's deliveries and retries; a failed KV write of the active-model pointer. */
  override async alarm(): Promise<void> {
    await deliverDue(this.#state);
    await repairPointer(this.#state);
  }
}
countTrips(Tenant, (t) => t.trips);
throwsAcrossRpc(Tenant);

/** The names of the Tenant object's surfaces. */
export type SurfaceName = "profile" | "keys" | "documents" | "ingest" | "programs" | "datasets" | "generation" | "usage" | "jobs" | "models" | "idempotency" | "recovery" | "webhooks" | "deployments" | "evals" | "activeModel";
