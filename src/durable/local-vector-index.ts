import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";

/**
 * The exact local vector index (SQLite, one object per tenant) that dev and
 * tests use where Vectorize has no local simulation. Filled in by the ingest issue.
 */
export class LocalVectorIndex extends DurableObject<Bindings> {}
