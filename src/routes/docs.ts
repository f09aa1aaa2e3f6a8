import { Hono } from "hono";
import type { AppEnv } from "../env";

/**
 * A self-contained API reference page: it renders /openapi.json with a few
 * lines of script and loads nothing from a CDN, so it works offline in dev.
 */
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Distillery API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:24px;color:#1d1d1f}
h1{margin:0 0 4px}.op{border:1px solid #ddd;border-radius:8px;margin:10px 0;padding:10px 14px}
.m{display:inline-block;min-width:64px;font-weight:700;text-transform:uppercase}
.get{color:#0a7}.post{color:#06c}.delete{color:#c33}.put,.patch{color:#a60}
code,pre{font:13px ui-monospace,monospace}pre{background:#f6f6f6;padding:8px;overflow:auto;border-radius:6px}
details summary{cursor:pointer}.tag{color:#777;font-size:13px}
</style></head><body>
<h1>Distillery API</h1><p id="info">Loading <a href="/openapi.json">/openapi.json</a>…</p><div id="ops"></div>
<script>
fetch("/openapi.json").then(r=>r.json()).then(doc=>{
  document.getElementById("info").innerHTML=doc.info.description||"";
  const ops=document.getElementById("ops");
  for(const [path,item] of Object.entries(doc.paths)){
    for(const [method,op] of Object.entries(item)){
      const d=document.createElement("details");d.className="op";
      const s=document.createElement("summary");
      s.innerHTML='<span class="m '+method+'">'+method+'</span> <code></code> — <span class="sum"></span> <span class="tag"></span>';
      s.querySelector("code").textContent=path;
      s.querySelector(".sum").textContent=op.summary||"";
      s.querySelector(".tag").textContent=(op.tags||[]).join(", ");
      const pre=document.createElement("pre");pre.textContent=JSON.stringify(op,null,2);
      d.append(s,pre);ops.append(d);
    }
  }
});
</script></body></html>`;

export const docsRoutes = new Hono<AppEnv>().get("/", (c) => c.html(PAGE));
