/** A thin client for Distillery's public API, as a user's script would write it. */
export class DistilleryClient {
  readonly baseUrl: string;
  private readonly token: string;

  constructor(baseUrl: string, token: string) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  /** The Authorization header, for requests the helpers below do not cover (raw uploads). */
  authHeader(): Record<string, string> {
    return { Authorization: `Bearer ${this.token}` };
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const err = parsed?.error;
      throw new Error(`${method} ${path} → ${res.status} ${err?.code ?? ""}: ${err?.message ?? text}`);
    }
    return parsed as T;
  }

  get<T = any>(path: string) {
    return this.request<T>("GET", path);
  }

  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>("POST", path, body ?? {}, headers);
  }
}
