package dkim

import (
	"bufio"
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	msgauth "github.com/emersion/go-msgauth/dkim"
	"golang.org/x/net/idna"
)

// Signer signs messages for one domain with one key. Build it with New.
type Signer struct {
	Domain   string        // d=, in ASCII (A-labels)
	Selector string        // s=
	Key      crypto.Signer // RSA or Ed25519

	// TempDir holds bodies over MemoryLimit while Sign waits for the
	// signature; "" is os.TempDir().
	TempDir string
}

// MemoryLimit is how much of a body Sign keeps in memory before it moves
// it to a temporary file.
const MemoryLimit = 1 << 20

// maxHeader bounds the header section held in memory.
const maxHeader = 1 << 20

// signedFields are the header fields covered (RFC 6376 §5.4.1), each
// listed once more than it occurs, so that a field of that name added on
// the way breaks the signature (§8.15, "oversigning").
var signedFields = []string{
	"From", "Sender", "Reply-To", "Subject", "Date", "Message-ID", "To", "Cc",
	"In-Reply-To", "References", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding", "Content-Disposition", "List-Id",
	"List-Unsubscribe", "List-Unsubscribe-Post",
}

// New checks the domain and selector and returns a Signer. A domain in
// Unicode is converted to its A-label form (IDNA 2008).
func New(key crypto.Signer, domain, selector string) (*Signer, error) {
	if key == nil {
		return nil, &KeyError{Err: errors.New("no key")}
	}
	d, err := idna.Lookup.ToASCII(strings.TrimSuffix(domain, "."))
	if err != nil || d == "" || !strings.Contains(d, ".") {
		return nil, &KeyError{Err: fmt.Errorf("signing domain %q is not a domain name", domain)}
	}
	if !validSelector(selector) {
		return nil, &KeyError{Err: fmt.Errorf("selector %q: want letters, digits, '-' and '.' (e.g. mail2024)", selector)}
	}
	return &Signer{Domain: strings.ToLower(d), Selector: selector, Key: key}, nil
}

func validSelector(s string) bool {
	if s == "" || len(s) > 63*4 || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// AlignmentError says the signing domain does not cover the author's
// domain, so receivers (DMARC) would not count the signature for it.
type AlignmentError struct{ Domain, From string }

func (e *AlignmentError) Error() string {
	return fmt.Sprintf("the DKIM signing domain %s does not match the From domain %s", e.Domain, e.From)
}

// CheckAligned reports whether the signature's domain matches the From
// address's domain: equal, or a parent of it (DMARC relaxed alignment,
// RFC 7489 §3.1.1).
func (s *Signer) CheckAligned(from string) error {
	at := strings.LastIndexByte(from, '@')
	dom := strings.ToLower(strings.TrimSuffix(from[at+1:], "."))
	if a, err := idna.Lookup.ToASCII(dom); err == nil {
		dom = a
	}
	if dom == s.Domain || strings.HasSuffix(dom, "."+s.Domain) {
		return nil
	}
	return &AlignmentError{Domain: s.Domain, From: dom}
}

func (s *Signer) options() *msgauth.SignOptions {
	return &msgauth.SignOptions{
		Domain:                 s.Domain,
		Selector:               s.Selector,
		Signer:                 s.Key,
		Hash:                   crypto.SHA256,
		HeaderCanonicalization: msgauth.CanonicalizationRelaxed,
		BodyCanonicalization:   msgauth.CanonicalizationRelaxed,
	}
}

// Signature reads a whole message from r and returns the DKIM-Signature
// header field (name, folded value and CRLF) to put in front of it. Line
// endings are taken as CRLF whatever r uses, as on the wire. Use it when
// the message can be read again; Sign does both in one pass.
func (s *Signer) Signature(r io.Reader) (string, error) {
	br := bufio.NewReaderSize(newCRLFReader(r), 64<<10)
	header, err := readHeaderSection(br)
	if err != nil {
		return "", err
	}
	return s.sign(header, br, io.Discard)
}

// Sign reads a message from src and writes it to dst signed: the
// DKIM-Signature field, then the message with CRLF line endings. Memory
// stays bounded: the header section (at most 1 MiB) is kept, and a body
// over MemoryLimit waits in a temporary file while its hash is computed,
// because the signature must precede it.
func (s *Signer) Sign(dst io.Writer, src io.Reader) error {
	br := bufio.NewReaderSize(newCRLFReader(src), 64<<10)
	header, err := readHeaderSection(br)
	if err != nil {
		return err
	}
	body := &spillBuffer{dir: s.TempDir}
	defer body.Close()
	sig, err := s.sign(header, br, body)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(dst, sig); err != nil {
		return err
	}
	if _, err := dst.Write(header); err != nil {
		return err
	}
	return body.copyTo(dst)
}

// sign hashes header and the body from r (copied to tee on the way).
func (s *Signer) sign(header []byte, r io.Reader, tee io.Writer) (string, error) {
	o := s.options()
	o.HeaderKeys = oversigned(header)
	ms, err := msgauth.NewSigner(o)
	if err != nil {
		return "", &KeyError{Err: err}
	}
	if _, err := ms.Write(header); err != nil {
		ms.Close()
		return "", fmt.Errorf("DKIM: %w", err)
	}
	if _, err := io.Copy(io.MultiWriter(ms, tee), r); err != nil {
		ms.Close()
		return "", err
	}
	if err := ms.Close(); err != nil {
		return "", fmt.Errorf("DKIM signing: %w", err)
	}
	return ms.Signature(), nil
}

// ErrNoHeader means the input has no header section ending in an empty line.
var ErrNoHeader = errors.New("DKIM: the message has no header section (no From field before an empty line)")

// readHeaderSection returns the header fields and the empty line that
// ends them. A message without a From field cannot be signed (RFC 6376
// §5.4: From is always signed).
func readHeaderSection(br *bufio.Reader) ([]byte, error) {
	var h bytes.Buffer
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return nil, fmt.Errorf("DKIM: a header line is over %d octets", br.Size())
		}
		h.Write(line)
		if h.Len() > maxHeader {
			return nil, fmt.Errorf("DKIM: the header section is over %d octets", maxHeader)
		}
		if string(line) == "\r\n" {
			break
		}
		if err != nil {
			return nil, ErrNoHeader
		}
	}
	if !hasField(h.Bytes(), "From") {
		return nil, ErrNoHeader
	}
	return h.Bytes(), nil
}

// fieldNames lists the names of the fields in a header section.
func fieldNames(header []byte) []string {
	var out []string
	for _, line := range bytes.Split(header, []byte("\r\n")) {
		if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		if name, _, ok := bytes.Cut(line, []byte(":")); ok {
			out = append(out, strings.TrimSpace(string(name)))
		}
	}
	return out
}

func hasField(header []byte, name string) bool {
	for _, n := range fieldNames(header) {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// oversigned lists each signed field as often as it occurs plus once.
func oversigned(header []byte) []string {
	count := map[string]int{}
	for _, n := range fieldNames(header) {
		count[strings.ToLower(n)]++
	}
	var keys []string
	for _, f := range signedFields {
		for range count[strings.ToLower(f)] + 1 {
			keys = append(keys, f)
		}
	}
	return keys
}

// spillBuffer keeps up to MemoryLimit bytes in memory and the rest in a
// temporary file, removed by Close.
type spillBuffer struct {
	dir  string
	mem  bytes.Buffer
	file *os.File
}

func (b *spillBuffer) Write(p []byte) (int, error) {
	if b.file == nil && b.mem.Len()+len(p) <= MemoryLimit {
		return b.mem.Write(p)
	}
	if b.file == nil {
		f, err := os.CreateTemp(b.dir, "postie-dkim-*")
		if err != nil {
			return 0, fmt.Errorf("DKIM: temporary file for the body: %w", err)
		}
		os.Remove(f.Name()) // gone from the directory at once; the open file lives on
		b.file = f
	}
	return b.file.Write(p)
}

func (b *spillBuffer) copyTo(w io.Writer) error {
	if _, err := w.Write(b.mem.Bytes()); err != nil {
		return err
	}
	if b.file == nil {
		return nil
	}
	if _, err := b.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, b.file)
	return err
}

func (b *spillBuffer) Close() {
	if b.file != nil {
		b.file.Close()
	}
}
