/**
 * A copy of the committed tree (HEAD) in a temporary directory, for `wrangler dev` to run from.
 * Why: `wrangler dev` watches its sources and reloads the Worker when a file changes, and a reload
 * loses the local queues' in-flight messages, so a dataset being labeled then never finishes. On a
 * working tree others are editing, that happens within minutes; a snapshot nobody edits does not.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface Snapshot {
  dir: string;
  commit: string;
  remove(): void;
}

/** Extracts `rev` of the repository at `repo` into a fresh directory, with node_modules linked. */
export function snapshotOf(repo: string, rev = "HEAD"): Snapshot {
  const root = resolve(repo);
  const commit = execFileSync("git", ["-C", root, "rev-parse", "--short", rev], { encoding: "utf8" }).trim();
  const dir = mkdtempSync(join(tmpdir(), "distillery-bench-src-"));
  execFileSync("sh", ["-c", `git -C "${root}" archive "${rev}" | tar -x -C "${dir}"`]);
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  return { dir, commit, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Removes a snapshot once wrangler has exited (a moment after SIGTERM); left in the temporary directory if it cannot be. */
export function removeWhenServersExit(snapshot: Snapshot): void {
  setTimeout(() => {
    try {
      snapshot.remove();
    } catch {
      // left in the temporary directory
    }
  }, 2000);
}
