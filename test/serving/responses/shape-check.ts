/**
 * Compile-time check (npm run typecheck; no tests here): the Response objects and stream events the
 * translators build are the `openai` SDK's own types. `output_text` is the SDK's client-side
 * convenience, not sent; `usage` is null while in progress, as OpenAI's own `response.created` shows;
 * `text`, `tools` and `tool_choice` echo what the client sent (checked by the route and translator).
 */
import type {
  Response as SdkResponse,
  ResponseFunctionToolCall,
  ResponseOutputMessage,
  ResponseUsage as SdkUsage,
} from "openai/resources/responses/responses";
import type { FunctionCallItem, OutputMessage, ResponseObject, ResponseUsage } from "../../../src/serving/responses/response";

type Sent = Omit<SdkResponse, "output_text" | "usage" | "text" | "tools" | "tool_choice"> & { usage: SdkResponse["usage"] | null };

export const response = (r: ResponseObject): Sent => r;
export const message = (m: OutputMessage): ResponseOutputMessage => m;
export const call = (f: FunctionCallItem): ResponseFunctionToolCall => f;
export const usage = (u: ResponseUsage): SdkUsage => u;
