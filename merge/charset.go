package merge

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Charset is the character encoding of a data file.
type Charset int

const (
	CharsetAuto    Charset = iota // UTF-8 (with or without a BOM), else GB18030 if it decodes cleanly
	CharsetUTF8                   // UTF-8; invalid bytes are a problem of their row
	CharsetGB18030                // GB18030, the superset of GBK/GB2312 that Chinese Excel writes as "CSV"
)

func (c Charset) String() string {
	switch c {
	case CharsetUTF8:
		return "utf-8"
	case CharsetGB18030:
		return "gb18030"
	}
	return "auto"
}

// ParseCharset reads a charset name: auto, utf-8 (utf8), or gbk (gb18030,
// gb2312, cp936 — all read as GB18030, which contains the others).
func ParseCharset(s string) (Charset, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return CharsetAuto, nil
	case "utf-8", "utf8":
		return CharsetUTF8, nil
	case "gbk", "gb18030", "gb2312", "cp936", "gb-18030":
		return CharsetGB18030, nil
	}
	return 0, fmt.Errorf("unknown charset %q (want auto, utf-8 or gbk)", s)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// scan reads the data file once, start to end, without holding it: it
// hashes the raw bytes (the data's part of the fingerprint) and, for
// CharsetAuto, decides the charset. A file that is valid UTF-8 is UTF-8
// (short GBK text can be valid UTF-8 by accident — "联通" is the famous
// case — so an explicit charset always wins); otherwise it must decode
// as GB18030 without a replacement character.
func scan(path string, want Charset) (Charset, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	h := sha256.New()
	var (
		buf     = make([]byte, 64<<10)
		carry   int // bytes of an incomplete UTF-8 sequence kept from the previous chunk
		lines   = 1
		badLine int // first line with invalid UTF-8; 0 while valid
		first   = true
	)
	for {
		n, rerr := f.Read(buf[carry:])
		chunk := buf[:carry+n]
		h.Write(buf[carry : carry+n])
		if first && len(chunk) >= 2 {
			first = false
			if bytes.HasPrefix(chunk, []byte{0xFF, 0xFE}) || bytes.HasPrefix(chunk, []byte{0xFE, 0xFF}) {
				return 0, nil, &DataError{File: path, Err: errors.New("UTF-16 text (Excel's \"Unicode text\"); save it as \"CSV UTF-8\" instead")}
			}
			if want == CharsetGB18030 && bytes.HasPrefix(chunk, utf8BOM) {
				return 0, nil, &DataError{File: path, Err: errors.New("starts with a UTF-8 byte order mark, but the charset gbk was chosen")}
			}
		}
		if badLine == 0 && want == CharsetAuto {
			cut := len(chunk)
			if rerr == nil {
				cut = completeRunes(chunk)
			}
			if i := firstInvalid(chunk[:cut]); i >= 0 {
				badLine = lines + bytes.Count(chunk[:i], []byte{'\n'})
			}
			lines += bytes.Count(chunk[:cut], []byte{'\n'})
			carry = copy(buf, chunk[cut:])
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, nil, rerr
		}
	}
	sum := h.Sum(nil)
	switch {
	case want != CharsetAuto:
		return want, sum, nil
	case badLine == 0:
		return CharsetUTF8, sum, nil
	}
	if ok, err := decodesAsGB18030(f); err != nil {
		return 0, nil, err
	} else if !ok {
		return 0, nil, &DataError{File: path, Line: badLine, Err: errors.New("not valid UTF-8, and not GBK/GB18030 either; save the file as \"CSV UTF-8\" or name its charset")}
	}
	return CharsetGB18030, sum, nil
}

// completeRunes returns the length of b without a UTF-8 sequence cut
// off at its end (at most 3 bytes are held back).
func completeRunes(b []byte) int {
	for j := len(b) - 1; j >= 0 && j >= len(b)-3; j-- {
		if utf8.RuneStart(b[j]) {
			if !utf8.FullRune(b[j:]) {
				return j
			}
			break
		}
	}
	return len(b)
}

// firstInvalid returns the offset of the first invalid UTF-8 byte, or -1.
func firstInvalid(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// decodesAsGB18030 decodes the whole file and reports whether no byte
// sequence was invalid (x/text writes U+FFFD for those).
func decodesAsGB18030(f *os.File) (bool, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false, err
	}
	var w replacementSpotter
	if _, err := io.Copy(&w, simplifiedchinese.GB18030.NewDecoder().Reader(f)); err != nil {
		return false, err
	}
	return !w.seen, nil
}

type replacementSpotter struct {
	seen bool
	tail []byte // the last 2 bytes, for a U+FFFD split across writes
}

var replacementChar = []byte("\uFFFD")

func (r *replacementSpotter) Write(p []byte) (int, error) {
	if !r.seen {
		joined := append(r.tail, p[:min(len(p), 2)]...)
		r.seen = bytes.Contains(joined, replacementChar) || bytes.Contains(p, replacementChar)
		r.tail = append(r.tail[:0], p[max(0, len(p)-2):]...)
	}
	return len(p), nil
}

// dataReader opens the file for one pass: the raw bytes are hashed as
// they are read (so a file changed since Open is noticed at its end), and
// decoded to UTF-8 when the charset is GB18030.
type dataReader struct {
	f    *os.File
	h    hash.Hash
	text io.Reader
}

func openData(path string, cs Charset) (*dataReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	d := &dataReader{f: f, h: sha256.New()}
	d.text = io.TeeReader(f, d.h)
	if cs == CharsetGB18030 {
		d.text = simplifiedchinese.GB18030.NewDecoder().Reader(d.text)
	}
	return d, nil
}

// finish drains what the row reader left (nothing, normally) and
// compares the hash with the one taken when the campaign was opened.
func (d *dataReader) finish(path string, want []byte) error {
	if _, err := io.Copy(d.h, d.f); err != nil {
		return err
	}
	if !bytes.Equal(d.h.Sum(nil), want) {
		return &DataError{File: path, Err: errors.New("changed while the merge was reading it; run the merge again")}
	}
	return nil
}

func (d *dataReader) Close() error { return d.f.Close() }
