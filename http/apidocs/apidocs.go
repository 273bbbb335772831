// Package apidocs serves the human-readable API reference at /docs.
//
// The page renders the service's OpenAPI document with Redoc and works fully
// offline: the renderer and the page's start-up script are embedded in the
// binary with go:embed and served from /docs/assets/, nothing is fetched from
// a CDN, and the page's Content-Security-Policy only lets it reach its own
// origin.
//
// Vendored renderer: the file assets/redoc.standalone.js is
// bundles/redoc.standalone.js from the npm package redoc@3.0.1, copied
// unmodified (sha256 8c70c2de83d33e33a75b225e573d6d9fe851f066f824b44b1637d831d52d7543);
// its MIT licence is assets/LICENSE.redoc. The one change made to it is made
// in memory when the package starts: the two addresses of the Redocly logo
// that the sidebar's "API docs by" badge loads from cdn.redoc.ly are replaced
// by embedded data: images (see offlineLogos). In a headless-Chromium check
// those logos were the only off-origin loads Redoc 3.0.1 attempted; its
// telemetry, the other one it would make, is switched off by init.js.
//
// To upgrade, replace both files from the new package
// (`npm pack redoc@VERSION`), update redocVersion, the digest in the tests and
// this comment, rerun the tests (they fail if the served bundle still names
// cdn.redoc.ly), and load the page in a browser with the network cut off,
// watching the console for CSP violations.
package apidocs

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// redocVersion is the version of the npm package redoc that
// assets/redoc.standalone.js was copied from.
const redocVersion = "3.0.1"

// contentSecurityPolicy is the Content-Security-Policy header that the /docs
// page is served with. Scripts may only come from the service itself: no
// inline scripts and no eval. 'unsafe-inline' is needed for styles only,
// because Redoc injects its CSS-in-JS <style> elements at run time. Images and
// fonts may be data: URLs (Redoc inlines its icons and offlineLogos are data:
// images), and the OpenAPI document is fetched from the same origin.
//
// worker-src 'self' blob: is allowed but Redoc 3.0.1 does not use it under
// this policy: its search first probes Function() to build a blob: worker,
// the probe is blocked (a caught exception that DevTools lists as one eval
// violation of script-src, nothing in the console), and the search index is
// built on the main thread instead, which works.
const contentSecurityPolicy = "default-src 'none'; " +
	"script-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; " +
	"font-src 'self' data:; " +
	"connect-src 'self'; " +
	"worker-src 'self' blob:"

// assetCacheControl is sent with an asset requested under the current
// version query, whose URL therefore changes whenever the asset does.
const assetCacheControl = "public, max-age=31536000, immutable"

//go:embed assets/redoc.standalone.js assets/init.js
var assetFS embed.FS

// asset is one embedded file served under /docs/assets/.
type asset struct {
	body        []byte
	contentType string
}

// assets maps the exact names served under /docs/assets/ to their contents;
// no other name is ever served.
var assets = map[string]asset{
	"redoc.standalone.js": {contentType: "text/javascript; charset=utf-8"},
	"init.js":             {contentType: "text/javascript; charset=utf-8"},
}

// assetVersion is a digest of every embedded asset; the page adds it to asset
// URLs as ?v=... so that browsers may cache them for a year yet fetch new
// copies as soon as a new binary ships different ones.
var assetVersion string

func init() {
	sum := sha256.New()
	for name, a := range assets {
		body, err := assetFS.ReadFile(path.Join("assets", name))
		if err != nil {
			panic("apidocs: embedded asset missing: " + name)
		}
		if name == "redoc.standalone.js" {
			body = offlineBundle(body)
		}
		a.body = body
		assets[name] = a
	}
	// Hash in a fixed order so the version does not depend on map order.
	for _, name := range []string{"init.js", "redoc.standalone.js"} {
		sum.Write([]byte(name))
		sum.Write(assets[name].body)
	}
	assetVersion = hex.EncodeToString(sum.Sum(nil))[:16]
}

// offlineLogos maps each logo address that the Redoc bundle loads from a CDN
// to an embedded stand-in. Without this the page's CSP blocks the images (and
// a browser offline fails to fetch them); either way Redoc hides the broken
// image, but the browser logs a CSP violation on every page view. The
// stand-ins keep the attribution readable: the sidebar badge reads "API docs
// by Redocly", and the collapsed sidebar shows an "R".
var offlineLogos = []struct{ cdnURL, svg string }{
	{
		cdnURL: "https://cdn.redoc.ly/redoc/logo-mini-full.svg",
		svg: `<svg xmlns="http://www.w3.org/2000/svg" width="44" height="12" viewBox="0 0 44 12">` +
			`<text x="0" y="10" font-family="sans-serif" font-size="11" font-weight="700" fill="#0044D4">Redocly</text></svg>`,
	},
	{
		cdnURL: "https://cdn.redoc.ly/redoc/logo-mini.svg",
		svg: `<svg xmlns="http://www.w3.org/2000/svg" width="14" height="14" viewBox="0 0 14 14">` +
			`<text x="7" y="11.5" text-anchor="middle" font-family="sans-serif" font-size="13" font-weight="700" fill="#0044D4">R</text></svg>`,
	},
}

// offlineBundle returns the Redoc bundle with every address in offlineLogos
// replaced by a base64 data: URL of its stand-in. Base64 keeps the
// replacement free of characters that could end the JavaScript string the
// address sits in.
func offlineBundle(bundle []byte) []byte {
	for _, logo := range offlineLogos {
		dataURL := "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(logo.svg))
		bundle = bytes.ReplaceAll(bundle, []byte(logo.cdnURL), []byte(dataURL))
	}
	return bundle
}

// pageTemplate is the /docs page. It holds no inline script: the renderer and
// init.js are loaded from the embedded assets, and init.js reads the spec
// address from data-spec-url.
var pageTemplate = template.Must(template.New("docs").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference</title>
<link rel="icon" href="data:,">
<script type="module" src="{{.Assets}}redoc.standalone.js?v={{.Version}}"></script>
<script type="module" src="{{.Assets}}init.js?v={{.Version}}"></script>
</head>
<body>
<div id="redoc" data-spec-url="{{.SpecURL}}"></div>
<noscript>This API reference needs JavaScript. The OpenAPI document it renders is at <a href="{{.SpecURL}}">{{.SpecURL}}</a>.</noscript>
</body>
</html>
`))

// pageData fills pageTemplate.
type pageData struct {
	Assets  string // path prefix of the assets, ending in "/"
	Version string // assetVersion
	SpecURL string // address of the OpenAPI document
}

// Mount registers GET /docs (the HTML page) and GET /docs/assets/:file (the
// embedded assets, with correct Content-Type and a long Cache-Control) on r;
// specURL is the address of the OpenAPI document the page renders. Fiber also
// answers HEAD on both paths, as it does for every GET route. An unknown
// asset name yields fiber.ErrNotFound for the app's error handler to render.
func Mount(r fiber.Router, specURL string) {
	r.Get("/docs", func(c *fiber.Ctx) error {
		// The route's full path includes any group prefix r carries, so the
		// asset links stay right wherever the routes are mounted.
		var buf bytes.Buffer
		err := pageTemplate.Execute(&buf, pageData{
			Assets:  strings.TrimSuffix(c.Route().Path, "/") + "/assets/",
			Version: assetVersion,
			SpecURL: specURL,
		})
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentSecurityPolicy, contentSecurityPolicy)
		c.Set(fiber.HeaderCacheControl, "no-cache")
		c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Send(buf.Bytes())
	})

	r.Get("/docs/assets/:file", func(c *fiber.Ctx) error {
		a, ok := assets[c.Params("file")]
		if !ok {
			return fiber.ErrNotFound
		}
		if c.Query("v") == assetVersion {
			c.Set(fiber.HeaderCacheControl, assetCacheControl)
		} else {
			// An unversioned or stale URL must not pin this content.
			c.Set(fiber.HeaderCacheControl, "no-cache")
		}
		c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		c.Set(fiber.HeaderContentType, a.contentType)
		return c.Send(a.body)
	})
}

// Routes lists the method+path pairs Mount registers, in OpenAPI path syntax
// ("/docs", "/docs/assets/{file}"), so the contract test can check them
// against the document. The paths are relative to the router given to Mount;
// the HEAD routes Fiber adds to every GET route are not listed.
func Routes() [][2]string {
	return [][2]string{
		{fiber.MethodGet, "/docs"},
		{fiber.MethodGet, "/docs/assets/{file}"},
	}
}
