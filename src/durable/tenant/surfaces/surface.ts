import { RpcTarget } from "cloudflare:workers";
import type { Bindings } from "../../../env";
import { throwsAcrossRpc } from "../../rpc-errors";
import { countTrips, type TripCounter } from "../../trips";

/** What every surface of one Tenant object shares: its database, its bindings, its trip counter. */
export interface TenantState {
  readonly sql: SqlStorage;
  /** The object's storage, for its alarm (the webhook outbox arms it). */
  readonly storage: DurableObjectStorage;
  readonly env: Bindings;
  readonly trips: TripCounter;
}

/**
 * One area's RPC surface, handed out by the Tenant object (`stub.documents()`): an RpcTarget,
 * so only its prototype methods are reachable over RPC (these fields are not).
 */
export abstract class Surface extends RpcTarget {
  protected readonly sql: SqlStorage;
  protected readonly env: Bindings;
  readonly #trips: TripCounter;

  constructor(state: TenantState) {
    super();
    this.sql = state.sql;
    this.env = state.env;
    this.#trips = state.trips;
  }

  /** The runtime calls this once the caller has disposed every stub of this surface. */
  [Symbol.dispose](): void {
    this.#trips.released++;
  }

  static tripsOf(surface: Surface): TripCounter {
    return surface.#trips;
  }
}

/** Makes a class a surface: each method call counts a round trip and throws across RPC as an ApiError. */
export function surface(cls: abstract new (state: TenantState) => Surface, name: string): void {
  countTrips(cls, Surface.tripsOf, `${name}.`);
  throwsAcrossRpc(cls);
}
