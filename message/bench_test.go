package message

import (
	"io"
	"strings"
	"testing"
)

// patternReader yields n bytes of a repeating pattern without holding them.
type patternReader struct{ left int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	for i := range b {
		b[i] = byte(i*7 + 3)
	}
	p.left -= int64(len(b))
	return len(b), nil
}

// BenchmarkCompose100MiB: a message with a 100 MiB attachment written to
// io.Discard. MB/s counts attachment bytes; allocations stay flat.
func BenchmarkCompose100MiB(b *testing.B) {
	const size = 100 << 20
	b.SetBytes(size)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m := &Message{From: Address{Addr: "a@x.test"}, To: []Address{{Addr: "b@x.test"}}, Subject: "big", Text: "see attached",
			Attachments: []Attachment{{Name: "big.bin", Size: size, Open: func() (io.ReadCloser, error) {
				return io.NopCloser(&patternReader{left: size}), nil
			}}}}
		if _, err := m.WriteTo(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSize: computing SIZE= for a 1 GiB attachment reads nothing.
func BenchmarkSize(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m := &Message{From: Address{Addr: "a@x.test"}, To: []Address{{Addr: "b@x.test"}}, Text: "x",
			Attachments: []Attachment{{Name: "huge.bin", Size: 1 << 30, Open: func() (io.ReadCloser, error) {
				b.Fatal("Size opened the attachment")
				return nil, nil
			}}}}
		if _, err := m.Size(); err != nil {
			b.Fatal(err)
		}
	}
}

// repeatReader yields a line over and over, left octets in all.
type repeatReader struct {
	line []byte
	off  int
	left int64
}

func (r *repeatReader) Read(b []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > r.left {
		b = b[:r.left]
	}
	n := 0
	for n < len(b) {
		c := copy(b[n:], r.line[r.off:])
		n += c
		r.off = (r.off + c) % len(r.line)
	}
	r.left -= int64(n)
	return n, nil
}

// eightBitMessage is what mutt sends: one 8bit UTF-8 text part of about
// size octets (lines mixing Chinese and ASCII), CRLF-ended.
func eightBitMessage(size int64) io.Reader {
	hdr := "From: a@x.test\r\nTo: b@x.test\r\nSubject: big\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
	line := []byte("我爱计算机网络！ I love computer networks, line after line. 你好，世界。\r\n")
	return io.MultiReader(strings.NewReader(hdr), &repeatReader{line: line, left: size / int64(len(line)) * int64(len(line))})
}

// BenchmarkScan100MiB: sendmail mode's reading pass (line endings,
// checks, MIME walk) over 100 MiB of 8-bit text.
func BenchmarkScan100MiB(b *testing.B) {
	const size = 100 << 20
	b.SetBytes(size)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := io.Copy(io.Discard, NewScanner(eightBitMessage(size))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConvert100MiB: the 7-bit form (quoted-printable) of 100 MiB
// of 8-bit text, streamed to io.Discard.
func BenchmarkConvert100MiB(b *testing.B) {
	const size = 100 << 20
	sc := NewScanner(eightBitMessage(1 << 10))
	if _, err := io.Copy(io.Discard, sc); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Convert(io.Discard, eightBitMessage(size), sc.Info(), SevenBit); err != nil {
			b.Fatal(err)
		}
	}
}
