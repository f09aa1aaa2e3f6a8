import { ApiError } from "../errors";
import type { PageSpan } from "./extract";

/**
 * A document's extracted text, stored once in R2 in blocks while it is split: the first invocation
 * of the consumer extracts the original (a PDF's text layer, or decoded UTF-8) and writes it; every
 * later one reads only the blocks its slices cover. Before, each invocation read and decoded the
 * whole original again (re-extracted a PDF): one long uninterrupted stretch per invocation, and the
 * whole text (up to 32 MiB) held in the isolate for the invocation's length.
 *
 * Layout under `tenants/{tenant}/documents/{document}/text/`: blocks `0`, `1`, … (UTF-8, each at
 * most `blockChars` UTF-16 units, never cut inside a surrogate pair, so offsets into the whole text
 * stay offsets), then `manifest.json` (each block's start, the length, the PDF's pages), written
 * last: a manifest means every block is there. A crash before it leaves blocks that the next
 * delivery overwrites with the same text. The blocks are removed once the split is done, when the
 * document fails or is deleted, and by any delivery that finds the document gone.
 */

/**
 * UTF-16 units per stored block: at most ~768 KiB of UTF-8 encoded, read or decoded at once (a block
 * of 1M units, ~3 MiB of CJK, held the isolate ~40 ms while it was encoded and put).
 */
export const TEXT_BLOCK_CHARS = 1 << 18;

export interface Manifest {
  length: number;
  /** Block i covers [starts[i], starts[i + 1]); the last entry is the length. */
  starts: number[];
  pages: PageSpan[] | null;
}

function prefixOf(tenantId: string, documentId: string): string {
  return `tenants/${tenantId}/documents/${documentId}/text/`;
}
const MANIFEST = "manifest.json";

/** The stored text of a document: its length and pages, and windows of it read block by block. */
export class StoredText {
  /** UTF-16 units decoded by this instance (extraction included): the work of one invocation. */
  decodedChars = 0;
  private readonly blocks = new Map<number, string>();
  private window: { base: number; text: string } | null = null;

  constructor(
    private readonly bucket: R2Bucket,
    private readonly prefix: string,
    private readonly manifest: Manifest,
  ) {}

  get length(): number {
    return this.manifest.length;
  }

  get pages(): PageSpan[] | null {
    return this.manifest.pages;
  }

  /**
   * A string holding at least [from, min(to, length)) of the text, and where it starts in the whole
   * (`text === whole.slice(base, base + text.length)`): the blocks covering the range, decoded once
   * each while they stay in range.
   */
  async read(from: number, to: number): Promise<{ base: number; text: string }> {
    const end = Math.min(to, this.length);
    const w = this.window;
    if (w && w.base <= from && end <= w.base + w.text.length) return w;
    const first = this.blockAt(from);
    const last = this.blockAt(Math.max(from, end - 1));
    const parts: string[] = [];
    for (let i = first; i <= last; i++) parts.push(this.blocks.get(i) ?? (await this.readBlock(i)));
    for (const i of this.blocks.keys()) if (i < first || i > last) this.blocks.delete(i);
    parts.forEach((part, k) => this.blocks.set(first + k, part));
    this.window = { base: this.manifest.starts[first]!, text: parts.join("") };
    return this.window;
  }

  private blockAt(offset: number): number {
    const { starts } = this.manifest;
    let lo = 0;
    let hi = starts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return Math.max(lo, 0);
  }

  private async readBlock(i: number): Promise<string> {
    const { starts } = this.manifest;
    const object = await this.bucket.get(`${this.prefix}${i}`);
    const text = object ? await object.text() : null;
    if (text === null || text.length !== starts[i + 1]! - starts[i]!) {
      // Half removed (a drop that stopped part-way): forget it, so the next delivery extracts again.
      await this.bucket.delete(`${this.prefix}${MANIFEST}`);
      throw new ApiError("internal", "The document's stored text is incomplete; it is extracted again on the next attempt.", { retryable: true });
    }
    this.decodedChars += text.length;
    return text;
  }
}

/**
 * Writes a document's text into blocks as it comes (`append`, in pieces of any size), so the whole
 * never needs to be one string: each full block is put as soon as it is complete. `finish` puts
 * the last block and then the manifest.
 */
export class BlockWriter {
  private pending = "";
  private readonly starts = [0];
  private length = 0;

  constructor(
    private readonly bucket: R2Bucket,
    private readonly prefix: string,
    private readonly blockChars: number,
  ) {}

  /** Adds the next piece of the text. */
  async append(piece: string): Promise<void> {
    this.pending += piece;
    this.length += piece.length;
    while (this.pending.length > this.blockChars) {
      // Never between the halves of a surrogate pair: offsets must survive UTF-8 and back.
      let cut = this.blockChars;
      const high = this.pending.charCodeAt(cut - 1);
      if (high >= 0xd800 && high <= 0xdbff) cut -= 1;
      await this.putBlock(this.pending.slice(0, cut));
      this.pending = this.pending.slice(cut);
    }
  }

  /** Puts the last block and the manifest (the mark that every block is there). */
  async finish(pages: PageSpan[] | null): Promise<Manifest> {
    if (this.pending.length > 0 || this.starts.length === 1) await this.putBlock(this.pending);
    this.pending = "";
    const manifest: Manifest = { length: this.length, starts: this.starts, pages };
    await this.bucket.put(`${this.prefix}${MANIFEST}`, JSON.stringify(manifest));
    return manifest;
  }

  private async putBlock(block: string): Promise<void> {
    await this.bucket.put(`${this.prefix}${this.starts.length - 1}`, block);
    this.starts.push(this.starts.at(-1)! + block.length);
  }
}

/**
 * The document's stored text: read from its manifest when an earlier invocation wrote it, else
 * extracted now by `extract` into a BlockWriter (it answers the PDF's pages, or null), which puts
 * the blocks as they fill and the manifest last. `extracted` says how many characters that took.
 */
export async function openStoredText(
  bucket: R2Bucket,
  tenantId: string,
  documentId: string,
  extract: (out: BlockWriter) => Promise<PageSpan[] | null>,
  blockChars: number = TEXT_BLOCK_CHARS,
): Promise<StoredText> {
  const prefix = prefixOf(tenantId, documentId);
  const stored = await bucket.get(`${prefix}${MANIFEST}`);
  if (stored) return new StoredText(bucket, prefix, await stored.json<Manifest>());
  const writer = new BlockWriter(bucket, prefix, blockChars);
  const manifest = await writer.finish(await extract(writer));
  const opened = new StoredText(bucket, prefix, manifest);
  opened.decodedChars = manifest.length;
  return opened;
}

/**
 * Removes a document's stored text (repeat-safe): the manifest first, so a drop that stops
 * part-way never leaves a manifest naming blocks that are gone.
 */
export async function dropStoredText(bucket: R2Bucket, tenantId: string, documentId: string): Promise<void> {
  const prefix = prefixOf(tenantId, documentId);
  await bucket.delete(`${prefix}${MANIFEST}`);
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
    if (page.objects.length > 0) await bucket.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}
