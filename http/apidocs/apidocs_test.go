package apidocs

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
)

const testSpecURL = "/api/v1/openapi.json"

// newApp returns an app with Mount on its root (or on a group with the given
// prefix) and an error handler that records every error a handler returns.
func newApp(t *testing.T, prefix, specURL string) (*fiber.App, *errorLog) {
	t.Helper()
	log := &errorLog{}
	app := fiber.New(fiber.Config{
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			log.add(err)
			code := fiber.StatusInternalServerError
			var fe *fiber.Error
			if errors.As(err, &fe) {
				code = fe.Code
			}
			return c.Status(code).SendString(err.Error())
		},
	})
	if prefix == "" {
		Mount(app, specURL)
	} else {
		Mount(app.Group(prefix), specURL)
	}
	return app, log
}

// errorLog collects the errors an app's error handler saw.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) add(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

func (l *errorLog) last() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.errs) == 0 {
		return nil
	}
	return l.errs[len(l.errs)-1]
}

// get performs a request against app and returns the response and its body.
func get(t *testing.T, app *fiber.App, method, target string) (*http.Response, []byte) {
	t.Helper()
	resp, err := app.Test(httptest.NewRequest(method, target, nil), -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, target, err)
	}
	return resp, body
}

var (
	scriptTagRE = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	srcAttrRE   = regexp.MustCompile(`(?i)\bsrc="([^"]*)"`)
	hrefAttrRE  = regexp.MustCompile(`(?i)\bhref="([^"]*)"`)
)

// scriptSources returns the src of every <script> in page and fails the test
// if any script is inline (has a body or no src).
func scriptSources(t *testing.T, page string) []string {
	t.Helper()
	var srcs []string
	for _, m := range scriptTagRE.FindAllStringSubmatch(page, -1) {
		if strings.TrimSpace(m[2]) != "" {
			t.Errorf("inline script body found: %q", m[0])
		}
		src := srcAttrRE.FindStringSubmatch(m[1])
		if src == nil {
			t.Errorf("script without src: %q", m[0])
			continue
		}
		srcs = append(srcs, src[1])
	}
	return srcs
}

func TestDocsPage(t *testing.T) {
	app, _ := newApp(t, "", testSpecURL)
	resp, body := get(t, app, fiber.MethodGet, "/docs")
	page := string(body)

	if resp.StatusCode != fiber.StatusOK {
		t.Fatalf("status = %d, want 200; body: %s", resp.StatusCode, page)
	}
	if ct := resp.Header.Get(fiber.HeaderContentType); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/html; charset=utf-8", ct)
	}
	if !strings.Contains(page, `data-spec-url="`+testSpecURL+`"`) {
		t.Errorf("page lacks data-spec-url=%q:\n%s", testSpecURL, page)
	}
	if resp.Header.Get(fiber.HeaderCacheControl) != "no-cache" {
		t.Errorf("Cache-Control = %q, want no-cache so new asset versions are picked up", resp.Header.Get(fiber.HeaderCacheControl))
	}

	srcs := scriptSources(t, page)
	wantScripts := []string{"/docs/assets/redoc.standalone.js", "/docs/assets/init.js"}
	var gotScripts []string
	for _, src := range srcs {
		if !strings.HasPrefix(src, "/docs/assets/") {
			t.Errorf("script src %q does not point at /docs/assets/", src)
		}
		gotScripts = append(gotScripts, strings.SplitN(src, "?", 2)[0])
	}
	if !slices.Equal(gotScripts, wantScripts) {
		t.Errorf("script sources = %q, want %q (in that order)", gotScripts, wantScripts)
	}

	// Nothing on the page may point off the origin.
	for _, m := range append(srcAttrRE.FindAllStringSubmatch(page, -1), hrefAttrRE.FindAllStringSubmatch(page, -1)...) {
		if strings.Contains(m[1], "//") {
			t.Errorf("page references another origin: %q", m[1])
		}
	}
}

func TestDocsPageHead(t *testing.T) {
	app, _ := newApp(t, "", testSpecURL)
	resp, body := get(t, app, fiber.MethodHead, "/docs")
	if resp.StatusCode != fiber.StatusOK || len(body) != 0 {
		t.Errorf("HEAD /docs: status %d, %d body bytes; want 200 and none", resp.StatusCode, len(body))
	}
	if resp.Header.Get(fiber.HeaderContentSecurityPolicy) == "" {
		t.Error("HEAD /docs has no Content-Security-Policy")
	}
}

func TestReferencedAssets(t *testing.T) {
	app, _ := newApp(t, "", testSpecURL)
	_, body := get(t, app, fiber.MethodGet, "/docs")
	srcs := scriptSources(t, string(body))
	if len(srcs) == 0 {
		t.Fatal("page references no scripts")
	}
	for _, src := range srcs {
		resp, asset := get(t, app, fiber.MethodGet, src)
		if resp.StatusCode != fiber.StatusOK {
			t.Errorf("GET %s: status %d, want 200", src, resp.StatusCode)
			continue
		}
		if ct := resp.Header.Get(fiber.HeaderContentType); ct != "text/javascript; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q, want text/javascript; charset=utf-8 (module scripts need a JavaScript type)", src, ct)
		}
		if cc := resp.Header.Get(fiber.HeaderCacheControl); cc != assetCacheControl {
			t.Errorf("GET %s: Cache-Control %q, want %q", src, cc, assetCacheControl)
		}
		if resp.Header.Get(fiber.HeaderXContentTypeOptions) != "nosniff" {
			t.Errorf("GET %s: missing X-Content-Type-Options: nosniff", src)
		}
		name := strings.TrimPrefix(strings.SplitN(src, "?", 2)[0], "/docs/assets/")
		if !bytes.Equal(asset, assets[name].body) {
			t.Errorf("GET %s: body differs from the embedded %s", src, name)
		}
		if len(asset) == 0 {
			t.Errorf("GET %s: empty body", src)
		}
	}
}

func TestAssetWithoutCurrentVersionIsNotPinned(t *testing.T) {
	app, _ := newApp(t, "", testSpecURL)
	for _, target := range []string{"/docs/assets/init.js", "/docs/assets/init.js?v=stale"} {
		resp, _ := get(t, app, fiber.MethodGet, target)
		if resp.StatusCode != fiber.StatusOK {
			t.Errorf("GET %s: status %d, want 200", target, resp.StatusCode)
		}
		if cc := resp.Header.Get(fiber.HeaderCacheControl); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", target, cc)
		}
	}
}

func TestUnknownAssetsAreNotFound(t *testing.T) {
	app, log := newApp(t, "", testSpecURL)

	// Names that reach the asset handler (Fiber hands the segment over still
	// percent-encoded): it must return fiber.ErrNotFound itself.
	for _, target := range []string{
		"/docs/assets/nope.js",
		"/docs/assets/LICENSE.redoc",
		"/docs/assets/INIT.JS",
		"/docs/assets/init.js.map",
		"/docs/assets/init.js%00",
		"/docs/assets/..",
		"/docs/assets/%2e%2e",
		"/docs/assets/assets%2Finit.js",
		"/docs/assets/..%2Fapidocs.go",
		"/docs/assets/..%5Capidocs.go",
	} {
		resp, _ := get(t, app, fiber.MethodGet, target)
		if resp.StatusCode != fiber.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", target, resp.StatusCode)
		}
		if err := log.last(); err != fiber.ErrNotFound { //nolint:errorlint // identity is the contract
			t.Errorf("GET %s: handler returned %v, want fiber.ErrNotFound itself", target, err)
		}
	}

	// Traversal attempts that Fiber resolves before routing must never serve
	// a file either.
	for _, target := range []string{
		"/docs/assets/../apidocs.go",
		"/docs/assets/../../go.mod",
		"/docs/assets/%2e%2e/%2e%2e/go.mod",
		"/docs/assets/..%2F..%2Fgo.mod",
		"/docs/assets/./init.js/..",
		"/docs/assets//etc/passwd",
		"/docs/assets/",
	} {
		resp, body := get(t, app, fiber.MethodGet, target)
		if resp.StatusCode != fiber.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404; body %.80q", target, resp.StatusCode, body)
		}
	}
}

// directives splits a Content-Security-Policy into its directives.
func directives(csp string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		fields := strings.Fields(d)
		if len(fields) > 0 {
			out[fields[0]] = fields[1:]
		}
	}
	return out
}

func TestContentSecurityPolicy(t *testing.T) {
	app, _ := newApp(t, "", testSpecURL)
	resp, _ := get(t, app, fiber.MethodGet, "/docs")
	csp := resp.Header.Get(fiber.HeaderContentSecurityPolicy)
	if csp != contentSecurityPolicy {
		t.Fatalf("Content-Security-Policy = %q, want %q", csp, contentSecurityPolicy)
	}
	want := "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:"
	if csp != want {
		t.Errorf("Content-Security-Policy = %q, want %q", csp, want)
	}

	d := directives(csp)
	if !slices.Equal(d["default-src"], []string{"'none'"}) {
		t.Errorf("default-src = %q, want 'none'", d["default-src"])
	}
	if !slices.Equal(d["script-src"], []string{"'self'"}) {
		t.Errorf("script-src = %q, want only 'self' (no 'unsafe-inline', no 'unsafe-eval')", d["script-src"])
	}
	if !slices.Equal(d["connect-src"], []string{"'self'"}) {
		t.Errorf("connect-src = %q, want only 'self'", d["connect-src"])
	}
	for name, sources := range d {
		for _, s := range sources {
			if strings.Contains(s, ".") || strings.Contains(s, "http") || s == "*" {
				t.Errorf("%s allows another origin: %q", name, s)
			}
		}
	}
}

func TestSpecURLIsEscaped(t *testing.T) {
	specURL := `/spec.json?a=1&b="><script>alert(1)</script>`
	app, _ := newApp(t, "", specURL)
	_, body := get(t, app, fiber.MethodGet, "/docs")
	page := string(body)
	if strings.Contains(page, "alert(1)</script>") || strings.Contains(page, `"><script>`) {
		t.Errorf("spec URL not escaped:\n%s", page)
	}
	if n := len(scriptTagRE.FindAllString(page, -1)); n != 2 {
		t.Errorf("page has %d script elements, want 2:\n%s", n, page)
	}
}

func TestMountOnGroup(t *testing.T) {
	app, _ := newApp(t, "/internal", testSpecURL)
	resp, body := get(t, app, fiber.MethodGet, "/internal/docs")
	if resp.StatusCode != fiber.StatusOK {
		t.Fatalf("GET /internal/docs: status %d, want 200", resp.StatusCode)
	}
	srcs := scriptSources(t, string(body))
	if len(srcs) == 0 {
		t.Fatal("page references no scripts")
	}
	for _, src := range srcs {
		if !strings.HasPrefix(src, "/internal/docs/assets/") {
			t.Errorf("script src %q ignores the group prefix", src)
		}
		if resp, _ := get(t, app, fiber.MethodGet, src); resp.StatusCode != fiber.StatusOK {
			t.Errorf("GET %s: status %d, want 200", src, resp.StatusCode)
		}
	}
}

var fiberParamRE = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

func TestRoutesMatchMount(t *testing.T) {
	app := fiber.New()
	Mount(app, testSpecURL)

	var got [][2]string
	heads := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		p := fiberParamRE.ReplaceAllString(r.Path, "{$1}")
		if r.Method == fiber.MethodHead {
			// Fiber adds HEAD to every GET route; Routes lists the GETs.
			heads[p] = true
			continue
		}
		got = append(got, [2]string{r.Method, p})
	}
	want := Routes()
	less := func(a, b [2]string) int { return strings.Compare(a[0]+" "+a[1], b[0]+" "+b[1]) }
	slices.SortFunc(got, less)
	slices.SortFunc(want, less)
	if !slices.Equal(got, want) {
		t.Errorf("Mount registered %q, Routes() says %q", got, want)
	}
	for _, r := range want {
		if r[0] == fiber.MethodGet && !heads[r[1]] {
			t.Errorf("no HEAD route for GET %s", r[1])
		}
	}
	for _, r := range want {
		if strings.Contains(r[1], ":") {
			t.Errorf("Routes() path %q is not in OpenAPI syntax", r[1])
		}
	}
}

func TestBundleIsVendoredRedocAndOffline(t *testing.T) {
	raw, err := assetFS.ReadFile("assets/redoc.standalone.js")
	if err != nil {
		t.Fatal(err)
	}
	// The file must stay byte-for-byte the one in the npm package.
	const npmSHA256 = "8c70c2de83d33e33a75b225e573d6d9fe851f066f824b44b1637d831d52d7543"
	if got := fmt.Sprintf("%x", sha256.Sum256(raw)); got != npmSHA256 {
		t.Errorf("assets/redoc.standalone.js sha256 = %s, want %s (redoc@%s bundles/redoc.standalone.js, unmodified)", got, npmSHA256, redocVersion)
	}
	if !bytes.Contains(raw[:min(len(raw), 512)], []byte("Version: "+redocVersion)) {
		t.Errorf("assets/redoc.standalone.js is not Redoc %s; update redocVersion and the package comment", redocVersion)
	}
	served := assets["redoc.standalone.js"].body
	for _, logo := range offlineLogos {
		if n := bytes.Count(raw, []byte(logo.cdnURL)); n == 0 {
			t.Errorf("vendored bundle no longer contains %s: check what the new version loads from the network and update offlineLogos", logo.cdnURL)
		}
		if bytes.Contains(served, []byte(logo.cdnURL)) {
			t.Errorf("served bundle still loads %s", logo.cdnURL)
		}
	}
	if bytes.Contains(served, []byte("cdn.redoc.ly")) {
		t.Error("served bundle still names cdn.redoc.ly")
	}
	for _, logo := range offlineLogos {
		if strings.ContainsAny(logo.svg, "`$") {
			t.Errorf("stand-in logo for %s contains characters unsafe in a JS template string", logo.cdnURL)
		}
	}
}

func TestInitScript(t *testing.T) {
	js := string(assets["init.js"].body)
	for _, want := range []string{"dataset.specUrl", "disableTelemetry: true", "'./redoc.standalone.js'"} {
		if !strings.Contains(js, want) {
			t.Errorf("init.js lacks %q", want)
		}
	}
	if strings.Contains(js, "http://") || strings.Contains(js, "https://") || strings.Contains(js, "openapi.json") {
		t.Error("init.js hard-codes a URL; it must read data-spec-url")
	}
}
