package web

import (
	"bytes"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// clientIPHeader carries the client address clientIP worked out, for
// fiber's c.IP() (its ProxyHeader) to return. A client's own copy is
// always removed first.
const clientIPHeader = "X-Frontdesk-Client-Ip"

// proxyHeader is fiber's ProxyHeader: none unless proxies are trusted.
func proxyHeader(trusted []netip.Prefix) string {
	if len(trusted) == 0 {
		return ""
	}
	return clientIPHeader
}

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// ParseTrustedProxies reads a comma-separated list of CIDRs or addresses
// (FRONTDESK_TRUSTED_PROXIES).
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// trustedProxy reports whether a is one of the trusted proxies.
func (s *Server) trustedProxy(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP works out the client's address for c.IP(): from a trusted
// proxy, the rightmost X-Forwarded-For address that is not itself a
// trusted proxy (addresses left of it were written by the client and
// prove nothing); otherwise the peer.
func (s *Server) clientIP(c *fiber.Ctx) error {
	h := &c.Request().Header
	h.Del(clientIPHeader)
	if len(s.cfg.TrustedProxies) == 0 {
		return c.Next()
	}
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok || !s.trustedProxy(peer) {
		return c.Next()
	}
	client := peer.Unmap()
	values := h.PeekAll(fiber.HeaderXForwardedFor)
walk:
	for i := len(values) - 1; i >= 0; i-- {
		v := values[i]
		for len(v) > 0 {
			var part []byte
			if j := bytes.LastIndexByte(v, ','); j >= 0 {
				part, v = v[j+1:], v[:j]
			} else {
				part, v = v, nil
			}
			a, err := netip.ParseAddr(string(bytes.TrimSpace(part)))
			if err != nil {
				break walk
			}
			client = a.Unmap()
			if !s.trustedProxy(client) {
				break walk
			}
		}
	}
	h.Set(clientIPHeader, client.String())
	return c.Next()
}
