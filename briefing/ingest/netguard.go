package ingest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// ErrPrivateAddress is returned (wrapped, with the address) when an outbound fetch would connect
// to a private-network, loopback, link-local or otherwise non-public address and the source does
// not allow it (allow_private).
var ErrPrivateAddress = errors.New("refusing to connect to a private-network address")

// nonPublic lists the address blocks an outbound fetch refuses besides those netip classifies
// (loopback, RFC 1918 and unique-local, link-local, multicast, unspecified).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation (TEST-NET-1)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation (TEST-NET-2)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation (TEST-NET-3)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
}

// nat64 is the well-known NAT64 prefix: its last 32 bits are an IPv4 address, checked as such.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// IsPrivateAddress reports whether ip is an address an outbound fetch refuses unless the source
// allows private networks: loopback, private (RFC 1918, unique-local IPv6), link-local,
// carrier-grade NAT, unspecified, multicast, reserved and documentation blocks. IPv4 addresses
// mapped into IPv6 (::ffff:10.0.0.1) or embedded by NAT64 are judged by their IPv4 address.
func IsPrivateAddress(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.Unmap()
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// guardDial is a net.Dialer.ControlContext function: it runs after name resolution, on the
// address actually dialled, so a host name that resolves (or re-resolves, as in DNS rebinding) to
// a private address is refused.
func guardDial(_ context.Context, network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("ingest: %w: %s", ErrPrivateAddress, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		// Dialers always hand over an IP literal; anything else is refused rather than trusted.
		return fmt.Errorf("ingest: %w: %s", ErrPrivateAddress, address)
	}
	if IsPrivateAddress(ip) {
		return fmt.Errorf("ingest: %w: %s (%s)", ErrPrivateAddress, ip, network)
	}
	return nil
}

// checkLiteralHost refuses a URL host that is itself a private IP literal, before any request is
// made: it gives a clear error early, and covers clients whose transport cannot be guarded at
// dial time. Host names are checked when dialled.
func checkLiteralHost(host string) error {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		if h := strings.ToLower(strings.TrimSuffix(host, ".")); h == "localhost" || strings.HasSuffix(h, ".localhost") {
			return fmt.Errorf("ingest: %w: %s", ErrPrivateAddress, host)
		}
		return nil
	}
	if IsPrivateAddress(ip) {
		return fmt.Errorf("ingest: %w: %s", ErrPrivateAddress, ip)
	}
	return nil
}
