/**
 * What can be wrong with one chat fine-tuning example. The first seven are the kinds of
 * OpenAI's cookbook "Data preparation and analysis for chat model fine-tuning"; the rest cover
 * what the cookbook predates (tools, tool calls, tool messages) or lets through.
 */
export const FORMAT_ERROR_KINDS = [
  // The cookbook's seven.
  "data_type",
  "missing_messages_list",
  "message_missing_key",
  "message_unrecognized_key",
  "unrecognized_role",
  "missing_content",
  "example_missing_assistant_message",
  // Ours.
  "example_unrecognized_key",
  "invalid_value",
  "invalid_tools",
  "invalid_tool_call",
  "invalid_arguments",
  "unknown_tool",
  "unmatched_tool_message",
  "legacy_functions",
] as const;
export type FormatErrorKind = (typeof FORMAT_ERROR_KINDS)[number];

/** One problem in one example: `path` points into the example (`messages[2].tool_calls[0]`). */
export interface FormatError {
  kind: FormatErrorKind;
  message: string;
  path: string;
}

/** Problems of a whole dataset rather than of one line. */
export type DatasetErrorKind =
  /** Fewer valid examples than the provider's minimum. */
  | "too_few_examples"
  /** An example longer than the base model's training context, where the provider rejects it. */
  | "too_many_tokens";

export type ReportErrorKind = FormatErrorKind | DatasetErrorKind;
