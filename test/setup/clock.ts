import { beforeAll, beforeEach } from "vitest";
import { setClock } from "../../src/lib/clock";

/**
 * The whole suite can run at another date through the clock seam:
 * `TEST_CLOCK_AT=2027-02-01T00:00:00Z npm test` (CI runs it past every announced cutoff and
 * shutdown, so no test depends on today's date). Each test starts at that instant (or the
 * machine's clock), and so does each file's beforeAll; a test that needs another date sets it itself,
 * in the test or a beforeEach.
 */
export const suiteClock: string = process.env.TEST_CLOCK_AT ?? "";

// Files share one module instance (isolate: false): a file's beforeAll would otherwise run at whatever
// instant the previous file's last test left the clock (e.g. a job test's WHILE_OPENAI_TRAINS).
beforeAll(() => setClock(suiteClock || null));
beforeEach(() => setClock(suiteClock || null));
