/**
 * Reads a wrangler.jsonc (comments and trailing commas allowed, as wrangler reads it) with
 * Microsoft's jsonc-parser, the parser VS Code uses; a syntax error throws with its offset instead of
 * passing a half-read config on. Used by the test configuration and the tests that check the config.
 */
import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";

export interface WranglerConfig {
  main?: string;
  assets?: { directory?: string; binding?: string; run_worker_first?: boolean | string[] };
  queues?: { producers?: unknown[]; consumers?: { queue: string; max_retries?: number }[] };
  [key: string]: unknown;
}

export function parseWranglerConfig(text: string, name = "wrangler.jsonc"): WranglerConfig {
  const errors: ParseError[] = [];
  const config = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as WranglerConfig;
  if (errors.length > 0) {
    const e = errors[0]!;
    throw new Error(`${name}: ${printParseErrorCode(e.error)} at offset ${e.offset}`);
  }
  return config;
}
