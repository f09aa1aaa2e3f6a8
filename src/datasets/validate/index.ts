export { checkExample } from "./check-example";
export { type DatasetErrorKind, FORMAT_ERROR_KINDS, type FormatError, type FormatErrorKind, type ReportErrorKind } from "./kinds";
export {
  MIN_EXAMPLES,
  OPENAI_AUTO_EPOCHS,
  OPENAI_EXAMPLE_TOKENS,
  openAIAutoEpochs,
  RECOMMENDED_EXAMPLES,
  resolveEpochs,
  trainingContextOf,
} from "./limits";
export {
  type DatasetRow,
  type ExampleCounter,
  type ReportError,
  type ReportWarning,
  type ValidateOptions,
  type ValidationReport,
  validateDataset,
  type WarningKind,
} from "./report";
export { quantile, TokenStats, type TokenSummary } from "./stats";
