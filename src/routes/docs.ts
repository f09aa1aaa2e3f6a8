import { Hono } from "hono";
import type { AppEnv } from "../env";

/** Where the viewer's files are served from: the Worker's static assets (scripts/build-assets.ts). */
export const VIEWER_PATH = "/docs";

/**
 * The API reference: Swagger UI (swagger-ui-dist, a maintained viewer) rendering /openapi.json,
 * grouped by tag, with an Authorize button for the bearer schemes and "Try it out" against this
 * Worker. Its script and stylesheet are the Worker's own static assets, and the page's CSP lets
 * nothing load or connect outside this origin: it works offline and never touches a CDN.
 */
function page(openapiPath: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Distillery API</title>
<link rel="icon" type="image/png" href="${VIEWER_PATH}/favicon-32x32.png">
<link rel="stylesheet" href="${VIEWER_PATH}/swagger-ui.css">
<style>body{margin:0}.swagger-ui .topbar{display:none}</style>
</head>
<body>
<div id="swagger-ui" data-openapi="${openapiPath}"></div>
<script src="${VIEWER_PATH}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({
  url: document.getElementById("swagger-ui").dataset.openapi,
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  // Every tag open, operations listed (a request's details open on click).
  docExpansion: "list",
  deepLinking: true,
  filter: true,
  displayRequestDuration: true,
  showExtensions: false,
  // The public validator badge would call out to swagger.io.
  validatorUrl: null,
  // Keys pasted into "Authorize" stay in this tab, never in localStorage.
  persistAuthorization: false,
});
</script>
</body>
</html>`;
}

/** The page's own CSP: its script, style, images and API calls come from this origin only. */
const CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function docsRoutes(openapiPath: string) {
  const html = page(openapiPath);
  return new Hono<AppEnv>().get("/", (c) => c.html(html, 200, { "Content-Security-Policy": CSP }));
}
