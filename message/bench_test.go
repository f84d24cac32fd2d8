package message

import (
	"io"
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
