import { ApiError } from "../../../errors";
import { nowIso, nowMs } from "../../../lib/clock";
import { newId } from "../../../lib/ids";
import type { WebhookEvent } from "../../../webhooks/events";
import { newSigningSecret } from "../../../webhooks/signature";
import { emitEvent } from "../webhook-outbox";
import {
  countEndpoints,
  deleteEndpoint,
  endpointView,
  getEndpoint,
  insertEndpoint,
  listDeliveries,
  pageEndpoints,
  rotateSecret,
  updateEndpoint,
  type EndpointRow,
  type WebhookDelivery,
  type WebhookEndpoint,
} from "../webhooks";
import type { PageQuery } from "../../keyset";
import { Surface, surface, type TenantState } from "./surface";

/** Endpoints one tenant may have: each event is one POST per endpoint. */
export const MAX_WEBHOOK_ENDPOINTS = 10;
/** How long the secret a rotation replaced keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;

/**
 * The tenant's webhook endpoints (URLs already checked by the caller) and its event outbox:
 * every event any part of the service emits for this tenant goes through `emit`.
 */
export class WebhooksSurface extends Surface {
  readonly #storage: DurableObjectStorage;

  constructor(state: TenantState) {
    super(state);
    this.#storage = state.storage;
  }

  /** A new endpoint and its signing secret (returned this once). */
  create(input: { url: string; events: string[] }): { endpoint: WebhookEndpoint; secret: string } {
    if (countEndpoints(this.sql) >= MAX_WEBHOOK_ENDPOINTS) {
      throw new ApiError("conflict", `A tenant has at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints; delete one first.`);
    }
    const row = { id: newId("wh"), url: input.url, events: input.events, secret: newSigningSecret(), created_at: nowIso() };
    insertEndpoint(this.sql, row);
    return { endpoint: endpointView({ ...row, previous_secret: null, previous_secret_until: null }), secret: row.secret };
  }

  list(q: PageQuery): { data: WebhookEndpoint[]; has_more: boolean } {
    const page = pageEndpoints(this.sql, q);
    return { data: page.data.map(endpointView), has_more: page.has_more };
  }

  get(id: string): WebhookEndpoint {
    return endpointView(this.#row(id));
  }

  /** Changes the URL or the events; deliveries already owed go to the new URL. */
  update(id: string, patch: { url?: string; events?: string[] }): WebhookEndpoint {
    this.#row(id);
    updateEndpoint(this.sql, id, patch);
    return this.get(id);
  }

  /** Deletes the endpoint; nothing more is sent to it. */
  remove(id: string): { id: string; object: "webhook_endpoint"; deleted: true } {
    if (!deleteEndpoint(this.sql, id)) throw new ApiError("not_found", `No webhook endpoint ${id}.`);
    return { id, object: "webhook_endpoint", deleted: true };
  }

  /** A new secret (returned this once); the old one also signs for ROTATION_OVERLAP_MS, so receivers can switch. */
  rotateSecret(id: string): { endpoint: WebhookEndpoint; secret: string } {
    this.#row(id);
    const secret = newSigningSecret();
    rotateSecret(this.sql, id, secret, nowMs() + ROTATION_OVERLAP_MS);
    return { endpoint: this.get(id), secret };
  }

  /** The endpoint's deliveries, newest first, a page at a time. */
  deliveries(id: string, q: PageQuery): { data: WebhookDelivery[]; has_more: boolean } {
    this.#row(id);
    return listDeliveries(this.sql, id, q);
  }

  /** Queues `event` for every endpoint subscribed to its type; a repeat of the same event id queues nothing. */
  emit(event: WebhookEvent<string, unknown>): Promise<{ deliveries: number }> {
    return emitEvent({ sql: this.sql, storage: this.#storage }, event);
  }

  #row(id: string): EndpointRow {
    const row = getEndpoint(this.sql, id);
    if (!row) throw new ApiError("not_found", `No webhook endpoint ${id}.`);
    return row;
  }
}
surface(WebhooksSurface, "webhooks");
