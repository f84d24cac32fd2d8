package dane

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/postie/postie/internal/dnstest"
)

func TestResolverReportsAuthenticatedData(t *testing.T) {
	leaf := chainOf(t, "mx.signed.test")[0]
	r311 := Record(3, 1, 1, leaf)
	ns, err := dnstest.Start(fmt.Sprintf(`signed.test. 300 IN MX 10 mx.signed.test. ; secure
mx.signed.test. 300 IN A 127.0.0.2 ; secure
_25._tcp.mx.signed.test. 300 IN TLSA 3 1 1 %[1]s ; secure
plain.test. 300 IN MX 10 mx.plain.test.
mx.plain.test. 300 IN A 127.0.0.3
_25._tcp.mx.plain.test. 300 IN TLSA 3 1 1 %[1]s
insecureaddr.test. 300 IN A 127.0.0.4
_25._tcp.insecureaddr.test. 300 IN TLSA 3 1 1 %[1]s ; secure
notlsa.test. 300 IN A 127.0.0.5 ; secure
servfail _25._tcp.broken.test.
broken.test. 300 IN A 127.0.0.6 ; secure`, hex.EncodeToString(r311.Data)))
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	r := &Resolver{Server: ns.Addr}
	ctx := context.Background()

	mx, secure, err := r.LookupMXSecure(ctx, "signed.test")
	if err != nil || !secure || len(mx) != 1 || mx[0].Host != "mx.signed.test." {
		t.Fatalf("signed MX: %v %v %v", mx, secure, err)
	}
	if _, secure, _ := r.LookupMXSecure(ctx, "plain.test"); secure {
		t.Fatal("unsigned MX reported secure")
	}
	_, _, err = r.LookupMXSecure(ctx, "nowhere.test")
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		t.Fatalf("NXDOMAIN: %v", err)
	}

	rs, secure, err := r.LookupTLSA(ctx, "mx.signed.test.", "25")
	if err != nil || !secure || len(rs) != 1 || string(rs[0].Data) != string(r311.Data) || !rs[0].Usable() {
		t.Fatalf("signed TLSA: %v %v %v", rs, secure, err)
	}
	if _, secure, err := r.LookupTLSA(ctx, "mx.plain.test", "25"); secure || err != nil {
		t.Fatalf("unsigned TLSA: %v %v", secure, err)
	}
	// Signed TLSA behind unsigned addresses do not count (RFC 7672 §2.2.2).
	if rs, secure, err := r.LookupTLSA(ctx, "insecureaddr.test", "25"); secure || rs != nil || err != nil {
		t.Fatalf("insecure address: %v %v %v", rs, secure, err)
	}
	if rs, _, err := r.LookupTLSA(ctx, "notlsa.test", "25"); len(rs) != 0 || err != nil {
		t.Fatalf("no TLSA: %v %v", rs, err)
	}
	if _, _, err := r.LookupTLSA(ctx, "broken.test", "25"); !errors.Is(err, ErrLookup) {
		t.Fatalf("SERVFAIL: %v", err)
	}
	if ips, err := r.LookupIPAddr(ctx, "mx.signed.test"); err != nil || len(ips) != 1 || !ips[0].IP.Equal(net.IPv4(127, 0, 0, 2)) {
		t.Fatalf("address: %v %v", ips, err)
	}
}
