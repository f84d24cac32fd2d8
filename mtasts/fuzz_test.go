package mtasts

import (
	"slices"
	"testing"
)

// FuzzParsePolicy: whatever parses renders back to a file that parses to
// the same policy, and only listed names match.
func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n"))
	f.Add([]byte("version: STSv1\r\nmode: testing\r\nmx: a.test\r\nmax_age: 86400\r\n"))
	f.Add([]byte("version: STSv1\nmode: none\nmax_age: 0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePolicy(b)
		if err != nil {
			return
		}
		q, err := ParsePolicy([]byte(p.String()))
		if err != nil {
			t.Fatalf("rendered policy does not parse: %v\n%s", err, p)
		}
		if q.Mode != p.Mode || q.MaxAge != p.MaxAge || !slices.Equal(q.MX, p.MX) {
			t.Fatalf("round trip: %+v -> %+v", p, q)
		}
		for _, mx := range p.MX {
			if mx[0] != '*' && !p.Matches(mx) {
				t.Fatalf("%s does not match itself", mx)
			}
		}
		if p.Matches("") || p.Matches(".") {
			t.Fatal("empty host matches")
		}
	})
}

// FuzzParseRecord: an accepted record yields an id of 1 to 32 letters or
// digits, and the minimal record with that id parses to the same id.
func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{"v=STSv1; id=20160831085700Z;", "v=STSv1;id=a;x=y", "v=STSv1; id=1; id=2", "v=STSv1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseRecord(s)
		if err != nil {
			return
		}
		if len(id) < 1 || len(id) > 32 || !alnum(id) {
			t.Fatalf("id %q from %q", id, s)
		}
		if again, err := ParseRecord("v=STSv1; id=" + id); err != nil || again != id {
			t.Fatalf("%q: %v", id, err)
		}
	})
}
