/**
 * Token counting in time linear in the input, on every input shape.
 *
 * gpt-tokenizer splits text into pre-tokens with its encoding's regex (linear) and merges each
 * pre-token's bytes by rescanning all of them for the best pair after every merge: quadratic in the
 * pre-token's length. Ordinary text has pre-tokens of a few characters, but a run without
 * whitespace or a class change ("x" × 900,000, a run of emoji, CJK, punctuation or combining
 * marks) is one pre-token: 900,000 characters took 12 minutes. Here pre-tokens go to
 * the library only while they are short; longer ones are merged exactly by the same rules with a
 * heap (n log n), and past HEAP_MERGE_MAX_BYTES, where that heap's memory would count against the
 * isolate's 128 MB, a pre-token is counted as its byte length: every byte is a token of these
 * byte-level encodings and each merge only removes one, so that is an over-estimate, never an
 * under-estimate (embedding batches and chunk sizes rely on never undercounting). The split regex
 * itself is linear, but runs over bounded segments (see `linearCounter`).
 */

/** The parts of gpt-tokenizer's encoding this counter uses (public fields of its classes). */
export interface BpeEncoding {
  bytePairEncodingCoreProcessor: BpeCore;
}
interface BpeCore {
  tokenSplitRegex: RegExp;
  getBpeRankFromString(text: string): number | undefined;
  getBpeRankFromBytes(bytes: Uint8Array): number | undefined;
  bytePairEncode(text: string): number[];
}

/** Pre-tokens up to this many UTF-16 units go to the library's (quadratic, cached) merge. */
export const LIBRARY_MERGE_MAX_CHARS = 256;
/** Pre-tokens up to this many UTF-8 bytes are merged exactly here; longer ones count their bytes. */
export const HEAP_MERGE_MAX_BYTES = 256 * 1024;

/** UTF-16 units the split regex runs over at once at most (it overflowed at 16M units of emoji, not at 4M). */
export const REGEX_WINDOW_CHARS = 1 << 20;

/** The work one counter did, for tests that assert bounds on work instead of wall-clock time. */
export interface CountWork {
  /** The longest pre-token (UTF-16 units) handed to the library's quadratic merge. */
  longestLibraryPreToken: number;
  /** Pair-rank look-ups made by the heap merge, and the bytes it merged. */
  heapRankLookups: number;
  heapBytes: number;
  /** Pre-tokens counted as their byte length (too long to merge within bounded memory). */
  byteCountedPreTokens: number;
  /** Stretches of a window or more without a certain pre-token boundary, counted as their bytes. */
  byteCountedRuns: number;
}

export function emptyWork(): CountWork {
  return { longestLibraryPreToken: 0, heapRankLookups: 0, heapBytes: 0, byteCountedPreTokens: 0, byteCountedRuns: 0 };
}

const utf8 = new TextEncoder();

export interface CounterLimits {
  libraryMaxChars: number;
  heapMaxBytes: number;
  windowChars: number;
}
const LIMITS: CounterLimits = { libraryMaxChars: LIBRARY_MERGE_MAX_CHARS, heapMaxBytes: HEAP_MERGE_MAX_BYTES, windowChars: REGEX_WINDOW_CHARS };

/**
 * A counter with the library's exact result wherever a pre-token can be merged in bounded memory.
 * `work` records what it did; `limits` are the module's own except in tests of the byte fallback.
 */
export function linearCounter(encoding: BpeEncoding, work?: CountWork, limits: CounterLimits = LIMITS): (text: string) => number {
  const core = encoding.bytePairEncodingCoreProcessor;
  // A fresh global regex per counter: matchAll copies it, so its lastIndex is never shared.
  const split = new RegExp(core.tokenSplitRegex.source, core.tokenSplitRegex.flags);
  const countPiece = (piece: string): number => {
    if (core.getBpeRankFromString(piece) !== undefined) return 1;
    if (piece.length <= limits.libraryMaxChars) {
      if (work && piece.length > work.longestLibraryPreToken) work.longestLibraryPreToken = piece.length;
      return core.bytePairEncode(piece).length;
    }
    const byteLength = utf8Length(piece);
    if (byteLength > limits.heapMaxBytes) {
      if (work) work.byteCountedPreTokens += 1;
      return byteLength;
    }
    return heapMergeCount(utf8.encode(piece), core, work);
  };
  const countSegment = (segment: string): number => {
    let tokens = 0;
    for (const [piece] of segment.matchAll(split)) tokens += countPiece(piece);
    return tokens;
  };
  // The regex runs over segments of at most `windowChars`: V8's matcher overflows its stack on one
  // match of some millions of non-ASCII characters (16 MB of emoji or CJK). Segments end where the
  // whole text certainly has a pre-token boundary (see `lastBoundary`), so their pre-tokens are the
  // text's; a stretch with no such boundary for a whole window is counted as its bytes.
  return (text) => {
    if (text.length <= limits.windowChars) return countSegment(text);
    let tokens = 0;
    let pos = 0;
    while (pos < text.length) {
      if (text.length - pos <= limits.windowChars) return tokens + countSegment(text.slice(pos));
      let end = lastBoundary(text, pos, pos + limits.windowChars);
      if (end > pos) {
        tokens += countSegment(text.slice(pos, end));
      } else {
        end = nextBoundary(text, pos + limits.windowChars);
        if (work) work.byteCountedRuns += 1;
        tokens += utf8Length(text.slice(pos, end));
      }
      pos = end;
    }
    return tokens;
  };
}

const SPACE = 0x20;
const WHITESPACE = /\s/;
/**
 * Before a space that follows a non-whitespace character, both encodings' split regexes always
 * end a pre-token: no alternative matches a non-space followed by a space (a space is only ever a
 * match's optional first character, or part of an all-whitespace match). So a segment ending
 * there is split exactly as the whole text is, whatever follows.
 */
function isBoundary(text: string, at: number): boolean {
  return text.charCodeAt(at) === SPACE && at > 0 && !WHITESPACE.test(text[at - 1]!);
}

/** The last certain boundary in (from, to], or -1. */
function lastBoundary(text: string, from: number, to: number): number {
  for (let at = text.lastIndexOf(" ", to); at > from; at = text.lastIndexOf(" ", at - 1)) {
    if (isBoundary(text, at)) return at;
  }
  return -1;
}

/** The first certain boundary at or after `from`, or the text's end. */
function nextBoundary(text: string, from: number): number {
  for (let at = text.indexOf(" ", from); at !== -1; at = text.indexOf(" ", at + 1)) {
    if (isBoundary(text, at)) return at;
  }
  return text.length;
}

/** UTF-8 bytes of `text`, without encoding it (a lone surrogate counts 3, as TextEncoder writes U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        bytes += 4;
        i += 1;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** No rank (the pair is not a token): above every real rank, so it never surfaces as a merge. */
const NONE = 0x7fffffff;
/** A part merged into its left neighbour (never a real rank). */
const GONE = -1;

/** Scratch arrays for merges up to this many bytes are kept and reused; longer merges allocate their own. */
const SCRATCH_MAX_BYTES = 32 * 1024;
interface Scratch {
  next: Int32Array;
  prev: Int32Array;
  rank: Int32Array;
  tokenRank: Int32Array;
  heapRank: Int32Array;
  heapStart: Int32Array;
}
let kept: Scratch | null = null;

function scratchFor(n: number): Scratch {
  const make = (size: number): Scratch => ({
    next: new Int32Array(size),
    prev: new Int32Array(size),
    rank: new Int32Array(size),
    tokenRank: new Int32Array(size),
    // Every part is pushed once, and each merge pushes at most two pairs again: under 3n entries.
    heapRank: new Int32Array(3 * size + 1),
    heapStart: new Int32Array(3 * size + 1),
  });
  if (n > SCRATCH_MAX_BYTES) return make(n);
  if (!kept || kept.next.length < n) kept = make(Math.min(SCRATCH_MAX_BYTES, Math.max(n, 2 * (kept?.next.length ?? 512))));
  return kept;
}

/**
 * The number of tokens byte-pair merging leaves of `bytes`, by gpt-tokenizer's rule (repeatedly
 * merge the adjacent pair of lowest rank, the leftmost on a tie) in O(n log n): parts are a linked
 * list by start offset, candidate pairs sit in a binary heap, and an entry whose part has changed
 * since is skipped when it surfaces. Its arrays are typed and, for pre-tokens up to 32 KiB,
 * reused across calls, and pair ranks come from an integer hash table (see PairTable): a Map keyed
 * by doubles and fresh arrays per call made this a third of the ingest's time.
 */
export function heapMergeCount(bytes: Uint8Array, core: Pick<BpeCore, "getBpeRankFromBytes" | "getBpeRankFromString">, work?: CountWork): number {
  const n = bytes.length;
  if (n <= 1) return n;
  const { next, prev, rank, tokenRank, heapRank, heapStart } = scratchFor(n);
  const rankOf = rankLookup(core);
  const pairs = pairTable(core);
  const byteRanks = byteRanksOf(core, rankOf);
  // Every part is a token (a byte, or a pair that had a rank): its rank names its bytes, so a
  // pair's rank is a function of its two parts' ranks, cached by them across merges and calls:
  // most look-ups of a long run are the same few pairs. -1: a part whose rank is unknown.
  let lookups = 0;
  // The rank of the pair starting at `start`: the bytes of its part and of the part after it.
  const pairRank = (start: number): number => {
    const second = next[start]!;
    if (second >= n) return NONE;
    lookups += 1;
    const a = tokenRank[start]!;
    const b = tokenRank[second]!;
    if (a < 0 || b < 0) return rankOf(bytes.subarray(start, next[second]!)) ?? NONE;
    const hit = pairs.get(a, b);
    if (hit !== MISSING) return hit;
    const found = rankOf(bytes.subarray(start, next[second]!)) ?? NONE;
    pairs.set(a, b, found);
    return found;
  };
  // A binary heap of (rank, start) in two parallel arrays, least rank first, leftmost on a tie.
  let size = 0;
  const push = (r: number, start: number) => {
    let i = size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pr = heapRank[parent]!;
      if (pr < r || (pr === r && heapStart[parent]! < start)) break;
      heapRank[i] = pr;
      heapStart[i] = heapStart[parent]!;
      i = parent;
    }
    heapRank[i] = r;
    heapStart[i] = start;
  };
  /** Removes the top entry (read it from heapRank[0], heapStart[0] first). */
  const pop = () => {
    const r = heapRank[--size]!;
    const start = heapStart[size]!;
    if (size === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size) {
        const lr = heapRank[left]!;
        const rr = heapRank[right]!;
        if (rr < lr || (rr === lr && heapStart[right]! < heapStart[left]!)) child = right;
      }
      const cr = heapRank[child]!;
      if (r < cr || (r === cr && start < heapStart[child]!)) break;
      heapRank[i] = cr;
      heapStart[i] = heapStart[child]!;
      i = child;
    }
    heapRank[i] = r;
    heapStart[i] = start;
  };
  const schedule = (start: number) => {
    const r = pairRank(start);
    rank[start] = r;
    if (r !== NONE) push(r, start);
  };

  for (let i = 0; i < n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
    tokenRank[i] = byteRanks[bytes[i]!]!;
  }
  for (let i = 0; i < n; i++) schedule(i);
  let parts = n;
  while (size > 0) {
    const entryRank = heapRank[0]!;
    const start = heapStart[0]!;
    pop();
    // Stale: the part is gone, or its pair changed (a changed pair has different bytes, so a
    // different rank: ranks name distinct byte strings).
    if (rank[start] !== entryRank) continue;
    const second = next[start]!;
    const after = next[second]!;
    next[start] = after;
    if (after < n) prev[after] = start;
    rank[second] = GONE;
    tokenRank[start] = entryRank;
    parts -= 1;
    schedule(start);
    if (prev[start]! >= 0) schedule(prev[start]!);
  }
  if (work) {
    work.heapRankLookups += lookups;
    work.heapBytes += n;
  }
  return parts;
}

/** What `PairTable.get` answers for a pair it does not hold. */
const MISSING = -2;
/** Slots of a pair table; it starts over when half full, so its memory stays bounded whatever the input. */
const PAIR_SLOTS = 1 << 16;

/**
 * Pair ranks by their parts' ranks (both below 2^21 in either encoding), in an open-addressing
 * table of typed arrays: no boxing of keys, no allocation per look-up.
 */
class PairTable {
  private readonly first = new Int32Array(PAIR_SLOTS).fill(-1);
  private readonly second = new Int32Array(PAIR_SLOTS);
  private readonly value = new Int32Array(PAIR_SLOTS);
  private used = 0;

  get(a: number, b: number): number {
    for (let slot = hashPair(a, b); ; slot = (slot + 1) & (PAIR_SLOTS - 1)) {
      const at = this.first[slot]!;
      if (at === -1) return MISSING;
      if (at === a && this.second[slot] === b) return this.value[slot]!;
    }
  }

  set(a: number, b: number, rank: number): void {
    if (this.used >= PAIR_SLOTS >> 1) {
      this.first.fill(-1);
      this.used = 0;
    }
    let slot = hashPair(a, b);
    while (this.first[slot] !== -1 && !(this.first[slot] === a && this.second[slot] === b)) slot = (slot + 1) & (PAIR_SLOTS - 1);
    if (this.first[slot] === -1) this.used++;
    this.first[slot] = a;
    this.second[slot] = b;
    this.value[slot] = rank;
  }
}

function hashPair(a: number, b: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) >>> 16;
}

const pairTables = new WeakMap<object, PairTable>();
function pairTable(core: object): PairTable {
  let table = pairTables.get(core);
  if (!table) {
    table = new PairTable();
    pairTables.set(core, table);
  }
  return table;
}

/** Each single byte's rank (-1: not a token), per encoding. */
const byteRankTables = new WeakMap<object, Int32Array>();
function byteRanksOf(core: object, rankOf: (bytes: Uint8Array) => number | undefined): Int32Array {
  let table = byteRankTables.get(core);
  if (!table) {
    table = new Int32Array(256);
    for (let b = 0; b < 256; b++) table[b] = rankOf(Uint8Array.of(b)) ?? -1;
    byteRankTables.set(core, table);
  }
  return table;
}

/** Keys up to this many bytes are cached by a number packed from their bytes (6 × 8 bits + a length fits a double's 53). */
const SHORT_KEY_BYTES = 6;
/** Entries a cache holds before it starts over: its memory stays bounded whatever the input. */
const CACHE_MAX = 1 << 16;
const shortKeyCaches = new WeakMap<object, Map<number, number>>();

/**
 * The rank of a byte string, as the library's `getBpeRankFromBytes` answers it. The library
 * validates and decodes every key with a TextDecoder call, then hashes the new string: on a long
 * pre-token that was most of the merge's time (bench:adversarial:ingest's CPU profile: 35–40 % of
 * the ingest's samples in tryConvertToString/decode, 15 % in the string map). Here the short keys a
 * merge looks up again and again (a pair of tokens is a few bytes) are cached by a number packed
 * from their bytes; a longer key is decoded here (valid UTF-8) or left to the library.
 */
export function rankOfBytes(core: Pick<BpeCore, "getBpeRankFromBytes" | "getBpeRankFromString">, bytes: Uint8Array): number | undefined {
  return rankLookup(core)(bytes);
}

/** `rankOfBytes` bound to one encoding's core and its cache (looked up once per merge, not per key). */
export function rankLookup(core: Pick<BpeCore, "getBpeRankFromBytes" | "getBpeRankFromString">): (bytes: Uint8Array) => number | undefined {
  let cache = shortKeyCaches.get(core);
  if (!cache) {
    cache = new Map();
    shortKeyCaches.set(core, cache);
  }
  const shortKeys = cache;
  return (bytes) => {
    if (bytes.length > SHORT_KEY_BYTES) return rankByKey(core, bytes);
    let packed = 0;
    for (let i = 0; i < bytes.length; i++) packed = packed * 256 + bytes[i]!;
    packed = packed * 8 + bytes.length;
    const hit = shortKeys.get(packed);
    if (hit !== undefined) return hit < 0 ? undefined : hit;
    const rank = rankByKey(core, bytes);
    if (shortKeys.size >= CACHE_MAX) shortKeys.clear();
    shortKeys.set(packed, rank ?? -1);
    return rank;
  };
}

function rankByKey(core: Pick<BpeCore, "getBpeRankFromBytes" | "getBpeRankFromString">, bytes: Uint8Array): number | undefined {
  const key = utf8Key(bytes);
  return key === undefined ? core.getBpeRankFromBytes(bytes) : core.getBpeRankFromString(key);
}

/** `bytes` decoded when they are valid UTF-8 (shortest forms, no surrogates, ≤ U+10FFFF), else undefined. */
function utf8Key(bytes: Uint8Array): string | undefined {
  let key = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      key += String.fromCharCode(b);
      i += 1;
      continue;
    }
    let more: number;
    let cp: number;
    let min: number;
    if ((b & 0xe0) === 0xc0) [more, cp, min] = [1, b & 0x1f, 0x80];
    else if ((b & 0xf0) === 0xe0) [more, cp, min] = [2, b & 0x0f, 0x800];
    else if ((b & 0xf8) === 0xf0) [more, cp, min] = [3, b & 0x07, 0x10000];
    else return undefined;
    if (i + more >= bytes.length) return undefined;
    for (let j = 1; j <= more; j++) {
      const c = bytes[i + j]!;
      if ((c & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    key += String.fromCodePoint(cp);
    i += more + 1;
  }
  return key;
}
