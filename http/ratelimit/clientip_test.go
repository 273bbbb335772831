package ratelimit

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// clientIP runs ClientIP on a request from peer with the given
// X-Forwarded-For header lines.
func clientIP(t *testing.T, proxies TrustedProxies, peer string, xff ...string) string {
	t.Helper()
	app := fiber.New()
	var req fasthttp.Request
	req.SetRequestURI("/")
	for _, v := range xff {
		req.Header.Add(fiber.HeaderXForwardedFor, v)
	}
	var fctx fasthttp.RequestCtx
	fctx.Init(&req, &net.TCPAddr{IP: net.ParseIP(peer), Port: 40000}, nil)
	c := app.AcquireCtx(&fctx)
	defer app.ReleaseCtx(c)
	return proxies.ClientIP(c)
}

func TestClientIP(t *testing.T) {
	none := TrustedProxies{}
	lb, err := ParseTrustedProxies("10.0.0.0/8, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		proxies TrustedProxies
		peer    string
		xff     []string
		want    string
	}{
		{"no proxies: XFF ignored", none, "203.0.113.5", []string{"198.51.100.7"}, "203.0.113.5"},
		{"no proxies: private peer, XFF ignored", none, "10.0.0.1", []string{"198.51.100.7"}, "10.0.0.1"},
		{"untrusted peer: XFF ignored", lb, "203.0.113.5", []string{"198.51.100.7"}, "203.0.113.5"},
		{"trusted peer, no XFF", lb, "10.0.0.1", nil, "10.0.0.1"},
		{"trusted peer: XFF hop", lb, "10.0.0.1", []string{"198.51.100.7"}, "198.51.100.7"},
		{"spoofed: client prepended a hop", lb, "10.0.0.1", []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7"},
		{"spoofed: client claims a trusted address", lb, "10.0.0.1", []string{"10.9.9.9, 198.51.100.7"}, "198.51.100.7"},
		{"two trusted proxies", lb, "10.0.0.1", []string{"6.6.6.6, 198.51.100.7, 10.0.0.2"}, "198.51.100.7"},
		{"several header lines", lb, "10.0.0.1", []string{"6.6.6.6, 198.51.100.7", "10.0.0.2"}, "198.51.100.7"},
		{"every hop trusted: left-most", lb, "10.0.0.1", []string{"10.0.0.3, 10.0.0.2"}, "10.0.0.3"},
		{"empty entries skipped", lb, "10.0.0.1", []string{" , 198.51.100.7 ,, "}, "198.51.100.7"},
		{"empty header", lb, "10.0.0.1", []string{""}, "10.0.0.1"},
		{"malformed last hop: the peer", lb, "10.0.0.1", []string{"198.51.100.7, garbage"}, "10.0.0.1"},
		{"malformed: unknown", lb, "10.0.0.1", []string{"unknown"}, "10.0.0.1"},
		{"malformed behind a trusted hop", lb, "10.0.0.1", []string{"garbage, 10.0.0.2"}, "10.0.0.2"},
		{"malformed left of the client is never read", lb, "10.0.0.1", []string{"<script>, 198.51.100.7"}, "198.51.100.7"},
		{"malformed: overlong", lb, "10.0.0.1", []string{strings.Repeat("1", 100)}, "10.0.0.1"},
		{"malformed: CIDR", lb, "10.0.0.1", []string{"198.51.100.0/24"}, "10.0.0.1"},
		{"hop with port", lb, "10.0.0.1", []string{"198.51.100.7:5040"}, "198.51.100.7"},
		{"IPv6 hop with port", lb, "10.0.0.1", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"IPv6 hop in brackets", lb, "10.0.0.1", []string{"[2001:db8::1]"}, "2001:db8::1"},
		{"IPv6 trusted peer", lb, "fd00::1", []string{"2001:db8::1"}, "2001:db8::1"},
		{"IPv6 untrusted peer", lb, "2001:db8::5", []string{"2001:db8::1"}, "2001:db8::5"},
		{"IPv6 hop with zone", lb, "fd00::1", []string{"fe80::1%eth0"}, "fe80::1"},
		{"IPv6 non-canonical", lb, "fd00::1", []string{"2001:DB8:0:0::1"}, "2001:db8::1"},
		{"IPv4-mapped peer is trusted by its IPv4 network", lb, "::ffff:10.0.0.1", []string{"198.51.100.7"}, "198.51.100.7"},
		{"IPv4-mapped hop unmapped", lb, "10.0.0.1", []string{"::ffff:198.51.100.7"}, "198.51.100.7"},
		{"IPv4-mapped trusted hop", lb, "10.0.0.1", []string{"198.51.100.7, ::ffff:10.0.0.2"}, "198.51.100.7"},
	} {
		if got := clientIP(t, tc.proxies, tc.peer, tc.xff...); got != tc.want {
			t.Errorf("%s: peer %s, XFF %q: got %s, want %s", tc.name, tc.peer, tc.xff, got, tc.want)
		}
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for in, want := range map[string]string{
		"":                                   "",
		" , ":                                "",
		"10.0.0.0/8":                         "10.0.0.0/8",
		"10.1.2.3/8":                         "10.0.0.0/8",
		"192.168.1.7":                        "192.168.1.7/32",
		" 10.0.0.0/8 ,fd00::/8, 2001:db8::1": "10.0.0.0/8,fd00::/8,2001:db8::1/128",
		"::ffff:10.0.0.0/104":                "10.0.0.0/8",
		"::ffff:10.0.0.1":                    "10.0.0.1/32",
	} {
		got, err := ParseTrustedProxies(in)
		if err != nil || got.String() != want {
			t.Errorf("ParseTrustedProxies(%q) = %q, %v; want %q", in, got.String(), err, want)
		}
	}
	for _, in := range []string{"10.0.0.0/33", "10.0.0", "example.com", "10.0.0.0/8;10.1.0.0/16", "fe80::1%eth0", "fe80::%eth0/64", "*"} {
		if _, err := ParseTrustedProxies(in); err == nil || !strings.Contains(err.Error(), "SMM_TRUSTED_PROXIES") {
			t.Errorf("ParseTrustedProxies(%q): %v, want an error naming the variable", in, err)
		}
	}
}

func TestIPKey(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.7":         "ip:198.51.100.7",
		"::ffff:198.51.100.7":  "ip:198.51.100.7",
		"2001:db8:1:2:3:4:5:6": "ip:2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "ip:2001:db8:1:2::/64",
		"fe80::1%eth0":         "ip:fe80::/64",
		"not-an-ip":            "ip:not-an-ip",
		"":                     "",
	} {
		if got := IPKey(in); got != want {
			t.Errorf("IPKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPerIPMiddleware wires ClientIP into the limiter the way the edge does:
// two clients behind one trusted load balancer have separate budgets. (The
// peer of app.Test is 0.0.0.0.)
func TestPerIPMiddleware(t *testing.T) {
	rdb := newRedis(t)
	l := New(rdb, nil)
	proxies, err := ParseTrustedProxies("0.0.0.0/32")
	if err != nil {
		t.Fatal(err)
	}
	limit := Limit{Name: uniqueName(t, rdb), Rate: 1, Burst: 1, Period: time.Minute}
	app := newApp(l.Middleware(proxies.PerIP(), constLimit(limit), FailOpenToLocal))
	for _, tc := range []struct {
		xff  string
		want int
	}{
		{"198.51.100.7", 200},
		{"6.6.6.6, 198.51.100.7", 429}, // spoofing a hop does not reset the budget
		{"198.51.100.8", 200},
		{"2001:db8::1", 200},
		{"2001:db8::2", 429}, // same /64
	} {
		if r := get(t, app, fiber.HeaderXForwardedFor, tc.xff); r.status != tc.want {
			t.Errorf("XFF %q: status %d, want %d", tc.xff, r.status, tc.want)
		}
	}
}
