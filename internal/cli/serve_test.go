package cli

import (
	"testing"
	"time"

	"github.com/postie/postie/capture"
)

// Beyond loopback the public limits apply unless a flag says otherwise;
// on loopback the loopback ones; flags override one by one.
func TestServeLimitDefaults(t *testing.T) {
	none := func(string) bool { return false }
	for _, tc := range []struct {
		addrs []string
		want  capture.Limits
	}{
		{[]string{"127.0.0.1:2525", ""}, capture.LoopbackLimits()},
		{[]string{"[::1]:2525", "localhost:2465"}, capture.LoopbackLimits()},
		{[]string{"127.0.0.1:2525", "0.0.0.0:2465"}, capture.PublicLimits()},
		{[]string{"192.0.2.10:25", ""}, capture.PublicLimits()},
	} {
		got, err := (&limitFlags{}).resolve(none, tc.addrs...)
		if err != nil || got != tc.want {
			t.Errorf("%v: %+v, %v; want %+v", tc.addrs, got, err, tc.want)
		}
	}
	pub := capture.PublicLimits()
	if pub.MaxSession == 0 || pub.MinRate == 0 || pub.MaxConnsPerIP == 0 || pub.MaxMessages == 0 || pub.MaxStoredBytes == 0 || pub.MaxAuthFailures == 0 {
		t.Fatalf("a public default is off: %+v", pub)
	}
	set := map[string]bool{"max-session": true, "min-rate": true, "max-stored": true}
	got, err := (&limitFlags{session: 0, minRate: 0, stored: "2M"}).resolve(func(n string) bool { return set[n] }, "192.0.2.10:25")
	if err != nil || got.MaxSession != 0 || got.MinRate != 0 || got.MaxStoredBytes != 2<<20 || got.MaxConnsPerIP != 10 {
		t.Fatalf("overrides: %+v %v", got, err)
	}
	if _, err := (&limitFlags{conns: -1}).resolve(func(n string) bool { return n == "max-conns" }, "127.0.0.1:1"); err == nil {
		t.Fatal("--max-conns -1 accepted")
	}
	if _, err := (&limitFlags{session: -time.Second}).resolve(none, "127.0.0.1:1"); err == nil {
		t.Fatal("--max-session -1s accepted")
	}
}
