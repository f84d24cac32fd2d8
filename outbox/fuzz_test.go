package outbox_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/postie/postie/outbox"
)

// FuzzUnmarshalEntry: a stored record either is refused, or decodes to an
// entry whose encoding is a fixed point (decode(encode(e)) encodes the
// same), with an ID safe to use in a file name.
func FuzzUnmarshalEntry(f *testing.F) {
	f.Add([]byte(`{"v":1,"id":"06dzmb6j00zqymhw0wqg","route":{"server":"h:25"},"from":"a@x.test","rcpts":[{"addr":"b@y.test","state":"pending"}],"size":10,"sha256":"0000000000000000000000000000000000000000000000000000000000000000","created":"2026-01-26T12:00:00Z","since":"2026-01-26T12:00:00Z"}`))
	f.Add([]byte(`{"v":1,"id":"../../etc/passwdxxxxx","route":{"direct":true},"rcpts":[{"addr":"b@y.test","state":"delivered"}],"sha256":"00"}`))
	f.Add([]byte(`{"v":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := outbox.UnmarshalEntry(b)
		if err != nil {
			return
		}
		if !e.ID.Valid() || strings.ContainsAny(string(e.ID), "./") {
			t.Fatalf("accepted id %q", e.ID)
		}
		for _, i := range leaseSending(e) {
			if i < 0 || i >= len(e.Recipients) {
				t.Fatalf("lease names recipient %d of %d", i, len(e.Recipients))
			}
		}
		enc, err := outbox.MarshalEntry(e)
		if err != nil {
			t.Fatalf("a decoded entry does not encode: %v", err)
		}
		e2, err := outbox.UnmarshalEntry(enc)
		if err != nil {
			t.Fatalf("an encoded entry does not decode: %v\n%s", err, enc)
		}
		enc2, _ := outbox.MarshalEntry(e2)
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("not a fixed point:\n%s\n%s", enc, enc2)
		}
	})
}

func leaseSending(e *outbox.Entry) []int {
	if e.Lease == nil {
		return nil
	}
	return e.Lease.Sending
}

// FuzzSubmit: whatever the message, Submit either refuses it with a
// *MessageError or stores bytes that end every line in CRLF, have no
// line over 998 octets, carry a Message-ID and a Date, keep every input
// line in order (adding at most the two fields and a blank line), and
// come back unchanged when submitted again.
func FuzzSubmit(f *testing.F) {
	for _, s := range []string{
		"Subject: x\r\n\r\nbody\r\n",
		"Subject: x\nMessage-ID: <a@b>\nDate: now\n\nbody",
		"no header at all\r",
		"Subject: folded\r\n continued\r\n\r\n.\r\n..\r\n",
		"\r\n\r\n\r\n",
		" leading space\r\n",
		"",
		"X: " + strings.Repeat("y", 1000),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		c, err := submit(t, string(msg), nil)
		var me *outbox.MessageError
		if err != nil {
			if !errors.As(err, &me) {
				t.Fatalf("not a MessageError: %v", err)
			}
			return
		}
		out := c.body
		lines := strings.Split(string(out), "\r\n")
		if lines[len(lines)-1] != "" {
			t.Fatalf("does not end with CRLF: %q", out)
		}
		lines = lines[:len(lines)-1]
		hasID, hasDate := false, false
		for _, l := range lines {
			if strings.ContainsAny(l, "\r\n") || len(l) > 998 {
				t.Fatalf("bad line %q", l)
			}
			if l == "" {
				break
			}
			lower := strings.ToLower(l)
			hasID = hasID || strings.HasPrefix(lower, "message-id:")
			hasDate = hasDate || strings.HasPrefix(lower, "date:")
		}
		// The entry's Message-ID is the field's value unfolded (RFC 5322
		// §2.2.3: a CRLF before white space is removed).
		unfolded := strings.NewReplacer("\r\n ", " ", "\r\n\t", "\t").Replace(string(out))
		if !hasID || !hasDate || !strings.Contains(unfolded, c.entry.MessageID) {
			t.Fatalf("Message-ID or Date missing:\n%q", out)
		}
		in := splitLines(string(msg))
		k := 0
		for _, l := range lines {
			if k < len(in) && l == in[k] {
				k++
			}
		}
		if k != len(in) || len(lines)-len(in) > 3 {
			t.Fatalf("input lines lost or too many added:\nin  %q\nout %q", in, lines)
		}
		c2, err := submit(t, string(out), nil)
		if err != nil || !bytes.Equal(c2.body, out) || c2.entry.MessageID != c.entry.MessageID {
			t.Fatalf("not idempotent: %v\n%q\n%q", err, out, c2.body)
		}
	})
}

// splitLines splits at CRLF, CR or LF, as the outbox normalises them.
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
