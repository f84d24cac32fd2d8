package outbox_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/postie/postie/outbox"
)

func TestRecordCodec(t *testing.T) {
	seed, err := os.ReadFile("testdata/fuzz/FuzzUnmarshalEntry/full-record")
	if err != nil {
		t.Fatal(err)
	}
	lit := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(string(seed), "\n", 2)[1], "[]byte("), ")\n")
	good, err := strconv.Unquote(lit)
	if err != nil {
		t.Fatal(err)
	}
	e, err := outbox.UnmarshalEntry([]byte(good))
	if err != nil {
		t.Fatalf("a full record does not decode: %v", err)
	}
	if e.Recipients[0].State != outbox.Unknown || !e.Recipients[0].WasUnknown || e.Lease.Sending[0] != 0 || e.Params.Notify[0] != "FAILURE" || e.Meta["row"] != "12" {
		t.Fatalf("%+v", e)
	}
	for name, bad := range map[string]string{
		"version":      strings.Replace(good, `"v":1`, `"v":2`, 1),
		"id":           strings.Replace(good, `"id":"06dzmb6j00zqymhw0wqg"`, `"id":"../../../etc/pass"`, 1),
		"state":        strings.Replace(good, `"state":"unknown"`, `"state":"sent"`, 1),
		"lease index":  strings.Replace(good, `"sending":[0]`, `"sending":[7]`, 1),
		"digest":       strings.Replace(good, `"sha256":"3f8a`, `"sha256":"zz8a`, 1),
		"no route":     strings.Replace(good, `"route":{"account":"work"}`, `"route":{}`, 1),
		"crlf address": strings.Replace(good, `"addr":"b@y.test"`, `"addr":"b@y.test\r\nRSET"`, 1),
		"truncated":    good[:len(good)/2],
	} {
		if _, err := outbox.UnmarshalEntry([]byte(bad)); err == nil {
			t.Errorf("%s: a bad record decoded", name)
		}
	}
}
