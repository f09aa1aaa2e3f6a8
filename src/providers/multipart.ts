const encoder = new TextEncoder();

/** A text field, or a file field whose bytes come from a stream of a known length. */
export type MultipartField =
  | { name: string; value: string }
  | { name: string; filename: string; contentType?: string; bytes: number; stream: ReadableStream<Uint8Array> };

export interface MultipartBody {
  /** Streamed, never buffered whole; of exactly `length` bytes (a fixed-length stream in workerd). */
  body: ReadableStream<Uint8Array>;
  /** `multipart/form-data; boundary=…`. */
  contentType: string;
  length: number;
  /** Set once a file stream turned out shorter or longer than declared (the request then fails). */
  failure(): UploadSizeError | null;
}

/** A file stream whose length is not the size declared: the caller's mistake, not the provider's. */
export class UploadSizeError extends Error {
  override readonly name = "UploadSizeError";
}

type Segment = Uint8Array | { stream: ReadableStream<Uint8Array>; bytes: number };

/**
 * A multipart/form-data body built as a stream. The SDK's own streaming form has no length, so
 * it goes out chunked; computing the framing up front gives the request a Content-Length, which
 * upload endpoints and signed URLs expect.
 */
export function multipartBody(fields: readonly MultipartField[]): MultipartBody {
  const boundary = `distillery-${crypto.randomUUID()}`;
  const segments: Segment[] = [];
  for (const field of fields) {
    if ("value" in field) {
      segments.push(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${quoted(field.name)}"\r\n\r\n${field.value}\r\n`));
      continue;
    }
    segments.push(
      encoder.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(field.name)}"; filename="${quoted(field.filename)}"\r\n` +
          `Content-Type: ${field.contentType ?? "application/octet-stream"}\r\n\r\n`,
      ),
      { stream: field.stream, bytes: field.bytes },
      encoder.encode("\r\n"),
    );
  }
  segments.push(encoder.encode(`--${boundary}--\r\n`));
  const length = segments.reduce((n, s) => n + (s instanceof Uint8Array ? s.byteLength : s.bytes), 0);
  let failure: UploadSizeError | null = null;
  const chunks = concat(segments, (err) => (failure ??= err));
  return {
    body: withLength(fromChunks(chunks), length),
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    failure: () => failure,
  };
}

/** The file's bytes as a request body of exactly `bytes` (a signed-URL PUT), checked as it streams. */
export function sizedBody(stream: ReadableStream<Uint8Array>, bytes: number): Pick<MultipartBody, "body" | "failure"> {
  let failure: UploadSizeError | null = null;
  const chunks = concat([{ stream, bytes }], (err) => (failure ??= err));
  return { body: withLength(fromChunks(chunks), bytes), failure: () => failure };
}

async function* concat(segments: readonly Segment[], onSizeError: (err: UploadSizeError) => void): AsyncGenerator<Uint8Array> {
  try {
    for (const segment of segments) {
      if (segment instanceof Uint8Array) yield segment;
      else yield* exactly(segment.stream, segment.bytes);
    }
  } catch (err) {
    if (err instanceof UploadSizeError) onSizeError(err);
    throw err;
  }
}

/** The stream's bytes, failing when it turns out shorter or longer than declared. */
async function* exactly(stream: ReadableStream<Uint8Array>, bytes: number): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let seen = 0;
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value.byteLength;
      if (seen > bytes) throw new UploadSizeError(`The file is longer than the ${bytes} bytes declared.`);
      yield value;
    }
    finished = true;
    if (seen !== bytes) throw new UploadSizeError(`The file has ${seen} bytes, not the ${bytes} declared.`);
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** A pull-driven stream over async chunks: nothing is read before the consumer asks. */
export function fromChunks(chunks: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          const { value, done } = await chunks.next();
          if (done) return controller.close();
          if (value.byteLength > 0) return controller.enqueue(value);
        }
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/** In workerd, a stream of a declared length, so the request carries Content-Length, not chunks. */
export function withLength(stream: ReadableStream<Uint8Array>, length: number): ReadableStream<Uint8Array> {
  if (typeof FixedLengthStream !== "function") return stream;
  const fixed = new FixedLengthStream(length);
  // A source error aborts the writable side, which errors the body the request is reading.
  stream.pipeTo(fixed.writable).catch(() => undefined);
  return fixed.readable;
}

/** Cuts one stream into consecutive slices of exact sizes (OpenAI Uploads' parts), reading as it goes. */
export class StreamSlicer {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private leftover: Uint8Array | null = null;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader();
  }

  /** The next `bytes` bytes as a stream; read it to the end before asking for the next slice. */
  next(bytes: number): ReadableStream<Uint8Array> {
    return fromChunks(this.take(bytes));
  }

  /** Fails if the source still has bytes (it was longer than declared), then lets it go. */
  async end(): Promise<void> {
    try {
      const rest = this.leftover?.byteLength ? this.leftover : (await this.reader.read()).value;
      if (rest?.byteLength) throw new UploadSizeError("The file is longer than the bytes declared.");
    } finally {
      await this.reader.cancel().catch(() => undefined);
    }
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private async *take(bytes: number): AsyncGenerator<Uint8Array> {
    let remaining = bytes;
    while (remaining > 0) {
      let chunk = this.leftover;
      this.leftover = null;
      if (!chunk) {
        const { value, done } = await this.reader.read();
        if (done) throw new UploadSizeError(`The file ended ${remaining} bytes short of the size declared.`);
        chunk = value;
      }
      if (chunk.byteLength > remaining) {
        this.leftover = chunk.subarray(remaining);
        chunk = chunk.subarray(0, remaining);
      }
      remaining -= chunk.byteLength;
      yield chunk;
    }
  }
}

function quoted(value: string): string {
  return value.replace(/[\r\n"]/g, (c) => encodeURIComponent(c));
}
