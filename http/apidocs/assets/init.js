// Starts the embedded Redoc renderer for the /docs page.
//
// This file exists so the page needs no inline <script>: its
// Content-Security-Policy allows scripts from 'self' only. The address of the
// OpenAPI document comes from the data-spec-url attribute of #redoc, so no URL
// is hard-coded here. The bundle is imported with the same ?v= cache-busting
// query this file was loaded with, so the browser reuses the copy that the
// page's own <script type="module"> tag already fetched.
const element = document.getElementById('redoc');
const specUrl = element ? element.dataset.specUrl : '';

if (specUrl) {
  const version = new URL(import.meta.url).search;
  const bundle = new URL('./redoc.standalone.js' + version, import.meta.url);
  const { init } = await import(bundle.href);
  init(
    specUrl,
    {
      // Redoc 3 reports usage to a Redocly endpoint unless told not to; the
      // page must never reach the network beyond its own origin.
      disableTelemetry: true,
      // Hash routing keeps every deep link under /docs#..., which the server
      // answers; history routing would invent paths below /docs.
      router: 'hash',
    },
    element,
  );
}
