/** Set by vitest.config.ts `define`: the instant each test starts at, or "" for the machine's clock. */
declare const __TEST_CLOCK_AT__: string;
