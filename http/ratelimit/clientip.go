package ratelimit

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// TrustedProxies is the set of networks (SMM_TRUSTED_PROXIES) whose
// X-Forwarded-For the service believes: the load balancers and ingress in
// front of it. The zero value trusts nobody, so X-Forwarded-For is ignored.
type TrustedProxies struct {
	prefixes []netip.Prefix
}

// ParseTrustedProxies reads a comma-separated list of CIDRs or single
// addresses ("10.0.0.0/8, 192.168.1.7, fd00::/8"); an empty string trusts
// nobody. Errors name the entry at fault.
func ParseTrustedProxies(csv string) (TrustedProxies, error) {
	var t TrustedProxies
	for _, f := range strings.Split(csv, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		var p netip.Prefix
		if strings.Contains(f, "/") {
			var err error
			if p, err = netip.ParsePrefix(f); err != nil {
				return TrustedProxies{}, fmt.Errorf("SMM_TRUSTED_PROXIES: %q is not a CIDR (want e.g. 10.0.0.0/8 or fd00::/8)", f)
			}
			if p.Addr().Zone() != "" {
				return TrustedProxies{}, fmt.Errorf("SMM_TRUSTED_PROXIES: %q: zones are not accepted", f)
			}
			if p.Addr().Is4In6() && p.Bits() >= 96 {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
		} else {
			a, err := netip.ParseAddr(f)
			if err != nil || a.Zone() != "" {
				return TrustedProxies{}, fmt.Errorf("SMM_TRUSTED_PROXIES: %q is not an IP address or CIDR", f)
			}
			a = a.Unmap()
			p = netip.PrefixFrom(a, a.BitLen())
		}
		t.prefixes = append(t.prefixes, p.Masked())
	}
	return t, nil
}

// Trusts reports whether a is inside one of the trusted networks.
func (t TrustedProxies) Trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// String lists the trusted networks, for the startup log.
func (t TrustedProxies) String() string {
	s := make([]string, len(t.prefixes))
	for i, p := range t.prefixes {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}

// ClientIP returns the client's address: the socket peer, unless the peer is
// a trusted proxy, in which case the right-most X-Forwarded-For entry that is
// not itself trusted. Entries to the left of that one were written by the
// client and could say anything, so they are never read. When every entry
// is trusted the left-most one is the client; when the walk meets an entry
// that is not an address, the last trusted hop before it is returned. The
// result is a canonical address (IPv4-mapped IPv6 unmapped, no zone, no
// port), or the peer as fiber sees it when the connection has no IP.
func (t TrustedProxies) ClientIP(c *fiber.Ctx) string {
	peer, ok := peerAddr(c)
	if !ok {
		return c.IP()
	}
	if !t.Trusts(peer) {
		return peer.String()
	}
	client := peer
	headers := c.Request().Header.PeekAll(fiber.HeaderXForwardedFor)
	// Walk the hops from the right: the last header line, its last entry.
	for i := len(headers) - 1; i >= 0; i-- {
		h := string(headers[i])
		for h != "" {
			var entry string
			if j := strings.LastIndexByte(h, ','); j >= 0 {
				h, entry = h[:j], h[j+1:]
			} else {
				h, entry = "", h
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue // "a,,b" or a trailing comma: no hop
			}
			a, ok := parseHop(entry)
			if !ok {
				return client.String()
			}
			if !t.Trusts(a) {
				return a.String()
			}
			client = a
		}
	}
	return client.String()
}

// peerAddr is the socket peer's address.
func peerAddr(c *fiber.Ctx) (netip.Addr, bool) {
	switch ra := c.Context().RemoteAddr().(type) {
	case *net.TCPAddr:
		a, ok := netip.AddrFromSlice(ra.IP)
		return a.Unmap(), ok
	case *net.UDPAddr:
		a, ok := netip.AddrFromSlice(ra.IP)
		return a.Unmap(), ok
	}
	return netip.Addr{}, false
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a port
// ("203.0.113.7:5040", "[2001:db8::1]:443") or in brackets.
func parseHop(s string) (netip.Addr, bool) {
	if len(s) > 64 {
		return netip.Addr{}, false
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().WithZone("").Unmap(), true
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

// IPKey turns a client address into a rate limit key: an IPv4 address as
// is, an IPv6 address by its /64, since one subscriber usually holds a whole
// /64 and could otherwise rotate through addresses to escape the limit.
// Anything else is kept as it is under the same "ip:" prefix; "" stays "",
// which Middleware takes as "do not limit".
func IPKey(ip string) string {
	if ip == "" {
		return ""
	}
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "ip:" + ip
	}
	a = a.WithZone("").Unmap()
	if a.Is4() {
		return "ip:" + a.String()
	}
	return "ip:" + netip.PrefixFrom(a, 64).Masked().String()
}

// PerIP is the key function of the per-IP limit: IPKey of ClientIP.
func (t TrustedProxies) PerIP() func(*fiber.Ctx) string {
	return func(c *fiber.Ctx) string { return IPKey(t.ClientIP(c)) }
}
