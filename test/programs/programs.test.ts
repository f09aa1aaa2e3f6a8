import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { albumProgram, ALBUM_SCHEMA } from "./fixtures";

describe("programs: CRUD and versions", () => {
  it("creates, reads, lists and versions a program", async () => {
    const t = await createTenant();
    const created = await api("/api/programs", { method: "POST", key: t.key, json: albumProgram("tools", "album") });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "album", version: 1, mode: "tools" });
    const same = await api("/api/programs/album", { method: "PUT", key: t.key, json: albumProgram("tools", "album") });
    expect(same.body.version).toBe(1);
    const edited = await api("/api/programs/album", {
      method: "PUT",
      key: t.key,
      json: { ...albumProgram("tools", "album"), prompt_template: "An album for {movie_name}, please." },
    });
    expect(edited.body.version).toBe(2);
    expect((await api("/api/programs/album?version=1", { key: t.key })).body.prompt_template).toContain("Generate an example album");
    const list = await api("/api/programs", { key: t.key });
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0].version).toBe(2);
  });

  it("409s a second create with the same name, 404s another tenant's program, deletes", async () => {
    const a = await createTenant("a");
    const b = await createTenant("b");
    await api("/api/programs", { method: "POST", key: a.key, json: albumProgram("tools", "album") });
    expect((await api("/api/programs", { method: "POST", key: a.key, json: albumProgram("tools", "album") })).status).toBe(409);
    expect((await api("/api/programs/album", { key: b.key })).status).toBe(404);
    expect((await api("/api/programs/album/run", { method: "POST", key: b.key, json: { variables: { movie_name: "x" } } })).status).toBe(404);
    expect((await api("/api/programs/album", { method: "DELETE", key: a.key })).status).toBe(200);
    expect((await api("/api/programs/album", { key: a.key })).status).toBe(404);
  });

  it("refuses an invalid schema with a 400 naming the offending path", async () => {
    const t = await createTenant();
    const bad = {
      ...albumProgram("tools", "bad"),
      output_schema: { ...ALBUM_SCHEMA, properties: { ...ALBUM_SCHEMA.properties, songs: { type: "array", items: { type: "song" } } } },
    };
    const res = await api("/api/programs", { method: "POST", key: t.key, json: bad });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain("output_schema.properties.songs.items.type");
    const notObject = await api("/api/programs", { method: "POST", key: t.key, json: { ...albumProgram("tools", "bad2"), output_schema: { type: "array" } } });
    expect(notObject.status).toBe(400);
  });
});
