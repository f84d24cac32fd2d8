package inbox

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReadHeader: what readHeader parses, written out again as
// "Name: Value" lines, parses to the same fields.
func FuzzReadHeader(f *testing.F) {
	f.Add("From: a@x\r\nSubject: hi\r\n there\r\n\r\nbody")
	f.Add("X: 1\nbroken line\nY: 2\n")
	f.Add(" leading: space\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		h, _, err := readHeader(bufio.NewReader(strings.NewReader(in)))
		if err != nil {
			return
		}
		var b strings.Builder
		for _, fl := range h {
			fmt.Fprintf(&b, "%s: %s\r\n", fl.Name, fl.Value)
		}
		b.WriteString("\r\n")
		h2, rest, err := readHeader(bufio.NewReader(strings.NewReader(b.String())))
		if err != nil || rest != nil || !reflect.DeepEqual(h, h2) && !(len(h) == 0 && len(h2) == 0) {
			t.Fatalf("round trip:\n%q\n%q\n%q (%v)", in, h, h2, err)
		}
	})
}

// FuzzWalkMessage: any input is walked within the limits, part paths are
// unique, and streaming each leaf gives as many octets as the walk
// counted (for base64, at most as many: counting cannot see where
// decoding fails).
func FuzzWalkMessage(f *testing.F) {
	f.Add(richMessage())
	f.Add(hostileMessage())
	f.Add("Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Transfer-Encoding: base64\n\nAAEC\n--x--\n")
	f.Add("Content-Type: multipart/alternative; boundary=\"a\"\r\n\r\n--a\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E4=BD=A0\r\n--a--")
	f.Fuzz(func(t *testing.T, in string) {
		var parts []*Part
		h, _ := walkMessage(strings.NewReader(in), func(p *Part, body io.Reader) error {
			parts = append(parts, p)
			return nil
		})
		if len(parts) > maxParts+1 || len(h) > maxHeaderFields+1 {
			t.Fatalf("%d parts, %d fields", len(parts), len(h))
		}
		seen := map[string]bool{}
		for _, p := range parts {
			if seen[p.Path] {
				t.Fatalf("path %q twice", p.Path)
			}
			seen[p.Path] = true
			if !utf8.ValidString(p.Filename) {
				t.Fatalf("filename %q not UTF-8", p.Filename)
			}
			if p.Multipart || p.Depth > 3 {
				continue
			}
			var out bytes.Buffer
			got, _ := copyPart(strings.NewReader(in), func(q *Part) bool { return q.Path == p.Path }, func(*Part) io.Writer { return &out })
			if got == nil {
				t.Fatalf("part %q not found again", p.Path)
			}
			n := int64(out.Len())
			if p.Encoding == "base64" && n > p.Size || p.Encoding != "base64" && n != p.Size {
				t.Fatalf("part %q (%s): walk counted %d, streaming gave %d", p.Path, p.Encoding, p.Size, n)
			}
		}
	})
}

// FuzzParam2231: any text, percent-encoded as an RFC 2231 UTF-8 value,
// decodes back to itself; any header value decodes to valid UTF-8.
func FuzzParam2231(f *testing.F) {
	f.Add("报告.pdf", "attachment; filename*0*=UTF-8''%E6%8A; filename*1*=%A5%E5%91%8A.pdf")
	f.Add("a b", "attachment; filename*=GBK''%D6%D0")
	f.Fuzz(func(t *testing.T, name, header string) {
		if out := param2231(header, "filename"); !utf8.ValidString(out) {
			t.Fatalf("%q -> invalid UTF-8 %q", header, out)
		}
		var enc strings.Builder
		for i := 0; i < len(name); i++ {
			fmt.Fprintf(&enc, "%%%02X", name[i])
		}
		if got := param2231("attachment; filename*=UTF-8''"+enc.String(), "filename"); got != validText(name) {
			t.Fatalf("%q -> %q", name, got)
		}
	})
}
