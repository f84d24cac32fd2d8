package dkim

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/postie/postie/internal/dkimtest"
	"github.com/postie/postie/internal/dnstest"
	"github.com/postie/postie/message"
)

// published starts a DNS server publishing each key's record, as the
// domain owner would after 'postie dkim keygen'.
func published(t *testing.T, keys map[string]crypto.Signer) *dnstest.Server {
	t.Helper()
	var zone strings.Builder
	for sel, k := range keys {
		rec, err := DNSRecord(sel, "example.org", k.Public())
		if err != nil {
			t.Fatal(err)
		}
		// dnstest reads one line per record: join the parenthesised strings.
		rec = strings.NewReplacer("( ", "", " )", "").Replace(rec)
		zone.WriteString(rec + "\n")
	}
	ns, err := dnstest.Start(zone.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	return ns
}

func mustKey(t *testing.T, kind string) crypto.Signer {
	t.Helper()
	k, err := GenerateKey(kind, 0)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// composed is a message as postie writes it: a Chinese subject, UTF-8
// text and a binary attachment.
func composed(t *testing.T, attachment []byte) []byte {
	t.Helper()
	m := &message.Message{
		From:    message.Address{Name: "张三", Addr: "zhangsan@example.org"},
		To:      []message.Address{{Addr: "bob@example.net"}},
		Subject: "我爱计算机网络！签名测试",
		Text:    "你好，世界。\nA line with trailing spaces   \n\n\n",
		Attachments: []message.Attachment{{Name: "报告.bin", ContentType: "application/octet-stream", Size: int64(len(attachment)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(attachment)), nil }}},
	}
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSignVerifiedByDkimpy(t *testing.T) {
	dkimtest.Require(t)
	keys := map[string]crypto.Signer{"rsa2048": mustKey(t, "rsa"), "ed": mustKey(t, "ed25519")}
	ns := published(t, keys)
	att := make([]byte, 3000)
	rand.Read(att)
	msg := composed(t, att)
	for sel, k := range keys {
		t.Run(sel, func(t *testing.T) {
			s, err := New(k, "example.org", sel)
			if err != nil {
				t.Fatal(err)
			}
			var signed bytes.Buffer
			if err := s.Sign(&signed, bytes.NewReader(msg)); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasSuffix(signed.Bytes(), msg) || !bytes.HasPrefix(signed.Bytes(), []byte("DKIM-Signature: ")) {
				t.Fatalf("signed message is not the signature followed by the message:\n%.300s", signed.Bytes())
			}
			report, ok := dkimtest.Verify(t, ns.Addr, signed.Bytes())
			if !ok || !strings.Contains(report, "a="+Algorithm(k)) {
				t.Fatalf("dkimpy does not verify:\n%s", report)
			}
			// The verifier is honest: one changed body byte fails it.
			tampered := bytes.Replace(signed.Bytes(), []byte("Content-Disposition: attachment"), []byte("Content-Disposition: attachmenT"), 1)
			if report, ok := dkimtest.Verify(t, ns.Addr, tampered); ok {
				t.Fatalf("tampered message verified:\n%s", report)
			}
		})
	}
}

// A body larger than MemoryLimit passes through the temporary file; the
// result is identical to Signature + the message, and verifies. LF line
// endings (sendmail input) are signed as the CRLF the wire carries.
func TestSignLargeLFBodyStreams(t *testing.T) {
	dkimtest.Require(t)
	k := mustKey(t, "ed25519")
	ns := published(t, map[string]crypto.Signer{"s1": k})
	var lf bytes.Buffer
	lf.WriteString("From: a@example.org\nTo: b@example.net\nSubject: big\n\n")
	for i := 0; lf.Len() < 3*MemoryLimit; i++ {
		fmt.Fprintf(&lf, "line %d of a long body, with a bare CR here:\r and on\n", i)
	}
	s, err := New(k, "example.org", "s1")
	if err != nil {
		t.Fatal(err)
	}
	s.TempDir = t.TempDir()
	var signed bytes.Buffer
	if err := s.Sign(&signed, iotest.HalfReader(bytes.NewReader(lf.Bytes()))); err != nil {
		t.Fatal(err)
	}
	crlf, _ := io.ReadAll(newCRLFReader(bytes.NewReader(lf.Bytes())))
	sig, err := s.Signature(bytes.NewReader(lf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	// Same key, same input: only t= may differ (a second may pass) and
	// Ed25519 is deterministic, so compare bh= and the message part.
	if !bytes.HasSuffix(signed.Bytes(), crlf) || tag(signed.String(), "bh") != tag(sig, "bh") {
		t.Fatal("Sign and Signature disagree on the body")
	}
	if report, ok := dkimtest.Verify(t, ns.Addr, signed.Bytes()); !ok {
		t.Fatalf("dkimpy does not verify:\n%s", report)
	}
}

func tag(sig, name string) string {
	i := strings.Index(sig, " "+name+"=")
	if i < 0 {
		return ""
	}
	v, _, _ := strings.Cut(sig[i+len(name)+2:], ";")
	return v
}

func TestOversigning(t *testing.T) {
	k := mustKey(t, "ed25519")
	s, _ := New(k, "example.org", "s1")
	sig, err := s.Signature(strings.NewReader("From: a@example.org\r\nTo: b@x.test\r\nTo: c@x.test\r\nX-Other: 1\r\n\r\nhi\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	h := strings.Join(strings.Fields(strings.ReplaceAll(tag(sig, "h"), "\r\n", "")), "")
	if h != "From:From:Sender:Reply-To:Subject:Date:Message-ID:To:To:To:Cc:In-Reply-To:References:MIME-Version:Content-Type:Content-Transfer-Encoding:Content-Disposition:List-Id:List-Unsubscribe:List-Unsubscribe-Post" {
		t.Fatalf("h=%s", h)
	}
	if !strings.Contains(sig, "c=relaxed/relaxed") || !strings.Contains(sig, "d=example.org") || !strings.Contains(sig, "s=s1") {
		t.Fatalf("sig %s", sig)
	}
}

func TestSignRefusesWhatIsNotAMessage(t *testing.T) {
	s, _ := New(mustKey(t, "ed25519"), "example.org", "s1")
	for _, in := range []string{"", "just text without header end", "To: b@x.test\r\n\r\nno From\r\n", "From: a\r\n" + strings.Repeat("X-Long: "+strings.Repeat("y", 1000)+"\r\n", 1100) + "\r\n"} {
		var out bytes.Buffer
		err := s.Sign(&out, strings.NewReader(in))
		if err == nil || out.Len() != 0 {
			t.Fatalf("%.40q: err %v, wrote %d bytes", in, err, out.Len())
		}
	}
	err := s.Sign(io.Discard, strings.NewReader("Subject: x\r\n\r\n"))
	if !errors.Is(err, ErrNoHeader) {
		t.Fatalf("err %v", err)
	}
}

func TestNewChecksDomainAndSelector(t *testing.T) {
	k := mustKey(t, "ed25519")
	s, err := New(k, "例子.测试", "sel-1")
	if err != nil || s.Domain != "xn--fsqu00a.xn--0zwm56d" {
		t.Fatalf("%+v %v", s, err)
	}
	for _, c := range [][2]string{{"localhost", "s"}, {"", "s"}, {"example.org", ""}, {"example.org", "a b"}, {"example.org", "x;y"}, {"bad domain.org", "s"}} {
		var ke *KeyError
		if _, err := New(k, c[0], c[1]); !errors.As(err, &ke) {
			t.Fatalf("%q: err %v", c, err)
		}
	}
}

func TestCheckAligned(t *testing.T) {
	s, _ := New(mustKey(t, "ed25519"), "example.org", "s")
	for from, ok := range map[string]bool{"a@example.org": true, "a@EXAMPLE.org": true, "a@news.example.org": true, "a@example.com": false, "a@badexample.org": false, "a@org": false} {
		err := s.CheckAligned(from)
		var ae *AlignmentError
		if ok != (err == nil) || !ok && !errors.As(err, &ae) {
			t.Fatalf("%s: %v", from, err)
		}
	}
	s, _ = New(mustKey(t, "ed25519"), "例子.测试", "s")
	if err := s.CheckAligned("user@例子.测试"); err != nil {
		t.Fatal(err)
	}
}
