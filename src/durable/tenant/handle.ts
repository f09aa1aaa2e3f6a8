import type { Bindings } from "../../env";
import { remote, type Remote } from "../rpc-errors";
import type { SurfaceName, Tenant } from "./object";

/** What a caller sees of each of the Tenant object's surfaces. */
type Surfaces = { [K in SurfaceName]: Remote<ReturnType<Tenant[K]>> };

/**
 * A caller's hold on one tenant's Durable Object: its id, and its surfaces, each opened on first
 * use (one round trip, pipelined with that first call) and kept for the handle's life. Made once
 * per request (by tenant auth) or per queue message batch and tenant, and passed down.
 *
 * Disposal: a surface is a stub of an RpcTarget living in the object; the runtime frees it only
 * when the caller disposes it or the caller's invocation ends. A handle disposes every surface
 * it opened when it is disposed: `using tenant = openTenant(env, id)`, or `tenant[Symbol.dispose]()`.
 * `using` is safe here: workerd runs it natively, Wrangler 4 emits it as is (seen in a
 * `wrangler deploy --dry-run` bundle), the test pool runs it, and TypeScript 5.9 types it.
 */
export class TenantHandle implements Disposable {
  readonly id: string;
  readonly #env: Pick<Bindings, "TENANT">;
  #stub: DurableObjectStub<Tenant> | null = null;
  readonly #opened = new Map<SurfaceName, { stub: Disposable; remote: unknown }>();

  constructor(env: Pick<Bindings, "TENANT">, id: string) {
    this.id = id;
    this.#env = env;
  }

  get profile(): Surfaces["profile"] {
    return this.#open("profile");
  }
  get keys(): Surfaces["keys"] {
    return this.#open("keys");
  }
  get documents(): Surfaces["documents"] {
    return this.#open("documents");
  }
  get ingest(): Surfaces["ingest"] {
    return this.#open("ingest");
  }
  get programs(): Surfaces["programs"] {
    return this.#open("programs");
  }
  get datasets(): Surfaces["datasets"] {
    return this.#open("datasets");
  }
  get generation(): Surfaces["generation"] {
    return this.#open("generation");
  }
  get usage(): Surfaces["usage"] {
    return this.#open("usage");
  }
  get jobs(): Surfaces["jobs"] {
    return this.#open("jobs");
  }
  get models(): Surfaces["models"] {
    return this.#open("models");
  }
  get deployments(): Surfaces["deployments"] {
    return this.#open("deployments");
  }
  get idempotency(): Surfaces["idempotency"] {
    return this.#open("idempotency");
  }
  get recovery(): Surfaces["recovery"] {
    return this.#open("recovery");
  }
  get webhooks(): Surfaces["webhooks"] {
    return this.#open("webhooks");
  }
  get evals(): Surfaces["evals"] {
    return this.#open("evals");
  }
  get activeModel(): Surfaces["activeModel"] {
    return this.#open("activeModel");
  }

  /** Disposes every surface opened so far (a later use opens it again). */
  [Symbol.dispose](): void {
    for (const { stub } of this.#opened.values()) stub[Symbol.dispose]();
    this.#opened.clear();
  }

  #open<K extends SurfaceName>(name: K): Surfaces[K] {
    let opened = this.#opened.get(name);
    if (!opened) {
      // Not awaited: calls on the pending stub pipeline with its opening.
      // The object's stub is made on first use: a served request with everything cached never needs it.
      this.#stub ??= this.#env.TENANT.get(this.#env.TENANT.idFromName(this.id));
      const stub = (this.#stub[name] as unknown as () => Disposable)();
      opened = { stub, remote: remote(stub) };
      this.#opened.set(name, opened);
    }
    return opened.remote as Surfaces[K];
  }
}

/** A handle on a tenant's Durable Object. */
export function openTenant(env: Pick<Bindings, "TENANT">, tenantId: string): TenantHandle {
  return new TenantHandle(env, tenantId);
}
