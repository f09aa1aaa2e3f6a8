import { ApiError } from "../errors";
import type { ClientEnv } from "../llm";
import type { FineTuneProviderOptions } from "./http";
import { FireworksFineTuneProvider } from "./fireworks";
import { OpenAIFineTuneProvider } from "./openai";
import { TogetherFineTuneProvider } from "./together";
import type { FineTuneProvider, FineTuneProviderId } from "./types";

export type { FineTuneProviderOptions } from "./http";
export { FIREWORKS_SINGLE_UPLOAD_BYTES, FireworksFineTuneProvider } from "./fireworks";
export { OPENAI_MAX_PART_BYTES, OPENAI_SINGLE_UPLOAD_BYTES, OpenAIFineTuneProvider } from "./openai";
export { keyedSuffix, TogetherFineTuneProvider } from "./together";
export * from "./types";

/**
 * The fine-tune provider `name`, reaching the endpoint resolveEndpoint picks for its control
 * plane. Throws resolveEndpoint's 400 `bad_request` (naming the variable to set) when the
 * provider is not configured, so a missing key never reaches the provider as a 401.
 */
export function fineTuneProviderFor(env: ClientEnv, name: FineTuneProviderId, opts: FineTuneProviderOptions): FineTuneProvider {
  switch (name) {
    case "openai":
      return new OpenAIFineTuneProvider(env, opts);
    case "together":
      return new TogetherFineTuneProvider(env, opts);
    case "fireworks":
      return new FireworksFineTuneProvider(env, opts);
    default:
      throw new ApiError("bad_request", `Unknown fine-tune provider "${String(name satisfies never)}".`);
  }
}
