import { nowIso } from "../../../lib/clock";
import { modelRegistry, registerModel, type ModelHistoryEntry, type NewRegisteredModel, type RegisteredModel } from "../models";
import { Surface, surface } from "./surface";

/** The tenant's model registry: the fine-tunes its jobs produced, and their history. */
export class ModelsSurface extends Surface {
  /** Registers a fine-tune as a candidate; a repeat changes nothing. */
  register(model: NewRegisteredModel): { created: boolean; model: RegisteredModel } {
    return registerModel(this.sql, model, nowIso());
  }

  registry(): { models: RegisteredModel[]; history: ModelHistoryEntry[]; base_models: string[] } {
    return modelRegistry(this.sql);
  }
}
surface(ModelsSurface, "models");
