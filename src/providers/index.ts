import type { ClientEnv } from "../llm";
import type { FineTuneProviderOptions } from "./http";
import { OpenAIFineTuneProvider } from "./openai";
import type { FineTuneProvider, FineTuneProviderId } from "./types";

export type { FineTuneProviderOptions } from "./http";
export { OPENAI_MAX_PART_BYTES, OPENAI_SINGLE_UPLOAD_BYTES, OpenAIFineTuneProvider } from "./openai";
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
    default:
      throw new Error(`unknown fine-tune provider ${String(name)}`);
  }
}
