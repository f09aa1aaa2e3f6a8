/** Small terminal helpers for the demo: steps, notes and a progress bar. */
const tty = process.stdout.isTTY === true;
const c = (code: number) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = c(1);
export const dim = c(2);
export const green = c(32);
export const yellow = c(33);
export const red = c(31);

export function step(n: number | string, title: string): void {
  console.log(`\n${bold(`${n}.`)} ${bold(title)}`);
}

export function note(text: string): void {
  console.log(`   ${text}`);
}

/** Marks what a model said or what it would cost: in the demo the emulator plays every model, so nothing is real or billed. */
export const emulated = (s: string) => `${s} ${dim("[emulated]")}`;

/** A cost at catalog prices, labelled: the emulator bills nothing. */
export const usd = (n: number, digits = 4) => `$${n.toFixed(digits)} ${dim("[catalog price, emulated: not billed]")}`;

export function notYet(what: string): void {
  console.log(`   ${yellow("not yet")} ${dim(`(${what})`)}`);
}

/** A progress bar that redraws in place on a terminal and prints milestones otherwise. */
export function progress(label: string, total: number) {
  let lastPrinted = -1;
  // `of`: the total when it grows as the work is discovered (a document's chunks appear slice by slice).
  return (done: number, extra = "", of?: number) => {
    if (of !== undefined) total = of;
    const pct = total > 0 ? Math.min(1, done / total) : 1;
    const width = 28;
    const bar = "█".repeat(Math.round(pct * width)).padEnd(width, "░");
    const line = `   ${label} ${bar} ${done}/${total} ${extra}`;
    if (tty) {
      process.stdout.write(`\r${line}`);
      if (done >= total) process.stdout.write("\n");
    } else {
      const decile = Math.floor(pct * 10);
      if (decile !== lastPrinted || done >= total) {
        lastPrinted = decile;
        console.log(line);
      }
    }
  };
}
