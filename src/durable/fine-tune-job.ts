import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";

/**
 * One fine-tune job's lifecycle (one object per job, SQLite, alarms).
 * The state machine arrives with the fine-tune jobs issue.
 */
export class FineTuneJob extends DurableObject<Bindings> {}
