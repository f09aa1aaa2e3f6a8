/**
 * Pins processes to CPUs (`taskset`), so a latency bench measures the Worker on a core of its own:
 * in production its isolate does not share a CPU with the client measuring it nor with the
 * provider it calls, while here five processes share two cores and the OS's scheduling of the
 * others shows up as the Worker's tail latency.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

/** A process and every process under it, through /proc's parent links. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited while listing
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/**
 * Gives the Worker's processes (`worker`: its wrangler's tree) CPU 0 and everything else of this
 * bench (this process, the emulator, their children) the other CPUs. Answers what it did, or why
 * not (one CPU; `taskset` missing; BENCH_PIN=0).
 */
export function pinWorkerApart(worker: number): string {
  const n = cpus().length;
  if (process.env.BENCH_PIN === "0") return "not pinned (BENCH_PIN=0)";
  if (n < 2) return "not pinned (one CPU)";
  const mine = processTree(worker);
  const rest = processTree(process.pid).filter((p) => !mine.includes(p));
  const set = (pids: number[], list: string) => {
    for (const pid of pids) execFileSync("taskset", ["-a", "-p", "-c", list, String(pid)], { stdio: "ignore" });
  };
  try {
    set(mine, "0");
    set(rest, `1-${n - 1}`);
  } catch (err) {
    return `not pinned (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`;
  }
  return `the Worker's ${mine.length} processes on CPU 0, the client and the emulator's ${rest.length} on CPU 1${n > 2 ? `–${n - 1}` : ""}`;
}
