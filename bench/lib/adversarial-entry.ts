// The Worker modules bench/adversarial.ts measures, bundled together (bench/lib/bundle.ts).
export { tokenCounter } from "../../src/llm/tokens";
export { splitTextWith } from "../../src/ingest/split";
export { renderTemplate } from "../../src/programs/template";
export { compileOutputValidator } from "../../src/programs/schema";
export { parseJsonl } from "../../src/datasets/import";
