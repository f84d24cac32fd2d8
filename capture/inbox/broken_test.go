package inbox

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Broken messages never break a page: the list, the message page and the
// API answer 200 and say what is wrong.
func TestBrokenMessages(t *testing.T) {
	b := newBox(t)
	cases := map[string]string{
		"no boundary":     "Subject: no boundary\nContent-Type: multipart/mixed\n\nbody\n",
		"unterminated":    "Subject: unterminated\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhalf a part",
		"bad base64":      "Subject: bad base64\nContent-Transfer-Encoding: base64\n\n!!!! not base64 ****\n",
		"bad type":        "Subject: bad type\nContent-Type: ;;;=\n\nbody\n",
		"header only":     "Subject: header only\n",
		"empty":           "",
		"not a header":    "this is not a header at all\nnor this\n",
		"deep":            "Subject: deep\n" + strings.Repeat("Content-Type: multipart/mixed; boundary=d\n\n--d\n", 50) + "\n",
		"bad charset":     "Subject: =?x-unknown?B?aGk=?= bad charset\nContent-Type: text/plain; charset=x-unknown\n\nbody\n",
		"raw gbk subject": "Subject: \xce\xd2\xb0\xae\nTo: b@x.test\n\nbody\n",
		"unknown cte":     "Subject: cte\nContent-Transfer-Encoding: x-uuencode\n\nbody\n",
		"binary junk":     "\x00\x01\x02\xff\xfe\r\n\r\n\x00",
	}
	ids := map[string]string{}
	for name, raw := range cases {
		ids[name] = b.deliver(raw)
	}
	var p Page
	b.getJSON("/api/v1/messages", &p)
	if p.Total != len(cases) {
		t.Fatalf("listed %d of %d", p.Total, len(cases))
	}
	if r := b.get("/"); r.status != 200 {
		t.Fatalf("list page: %d", r.status)
	}
	for name, id := range ids {
		for _, path := range []string{"/m/" + id, "/m/" + id + "/body", "/api/v1/messages/" + id, "/api/v1/messages/" + id + "/raw"} {
			if r := b.get(path); r.status != 200 {
				t.Errorf("%s: %s: %d %s", name, path, r.status, r.body)
			}
		}
	}
	var m struct{ Subject, Error string }
	b.getJSON("/api/v1/messages/"+ids["unterminated"], &m)
	if !strings.Contains(m.Error+readParts(t, b, ids["unterminated"]), "broken multipart") {
		t.Errorf("unterminated multipart: error %q", m.Error)
	}
	b.getJSON("/api/v1/messages/"+ids["raw gbk subject"], &m)
	if m.Subject != "我爱" {
		t.Errorf("raw GBK subject: %q", m.Subject)
	}
}

func readParts(t *testing.T, b *box, id string) string {
	var m struct{ Parts []Part }
	b.getJSON("/api/v1/messages/"+id, &m)
	var errs []string
	for _, p := range m.Parts {
		errs = append(errs, p.Err)
	}
	return strings.Join(errs, "|")
}

// A 50 MB attachment: the page answers without loading it, and the
// download is the same 50 MB, byte for byte.
func TestFiftyMegabyteAttachment(t *testing.T) {
	b := newBox(t)
	path := filepath.Join(b.maildir, "tmp", "big")
	file, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f := bufio.NewWriterSize(file, 1<<20)
	io.WriteString(f, "From: a@x.test\r\nTo: b@x.test\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"+
		"--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--b\r\nContent-Type: application/octet-stream\r\n"+
		"Content-Disposition: attachment; filename=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	h := sha256.New()
	chunk := randomBytes(57*1024, 9) // 57 octets make one 76-column base64 line
	var lines bytes.Buffer
	for i := 0; i < len(chunk); i += 57 {
		lines.WriteString(base64.StdEncoding.EncodeToString(chunk[i:i+57]) + "\r\n")
	}
	for written := 0; written < 50<<20; written += len(chunk) {
		h.Write(chunk)
		f.Write(lines.Bytes())
	}
	io.WriteString(f, "--b--\r\n")
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	file.Close()
	want := h.Sum(nil)
	final := filepath.Join(b.maildir, "new", "1735689600000000000.P1Q1.big")
	os.Rename(path, final)
	b.in.Notify(final)
	var m struct {
		Attachments []struct {
			URL  string
			Size int64
		}
	}
	b.getJSON("/api/v1/messages/1735689600000000000.P1Q1.big", &m)
	if len(m.Attachments) != 1 || m.Attachments[0].Size < 50<<20 {
		t.Fatalf("attachments %+v", m.Attachments)
	}
	if r := b.get("/m/1735689600000000000.P1Q1.big"); r.status != 200 || len(r.body) > 3<<20 {
		t.Fatalf("message page: %d, %d bytes", r.status, len(r.body))
	}
	res, err := b.srv.Client().Get(b.srv.URL + m.Attachments[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got := sha256.New()
	n, _ := io.Copy(got, res.Body)
	if string(got.Sum(nil)) != string(want) || n != m.Attachments[0].Size {
		t.Fatalf("download differs: %d octets", n)
	}
}
