package dkim

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
)

// FuzzCRLF: the normaliser leaves no bare CR or LF, keeps every other
// byte in order, and does not depend on how the input is chunked.
func FuzzCRLF(f *testing.F) {
	for _, s := range []string{"a\r\nb", "a\nb", "a\rb", "\r\r\n\n", "x\r", "\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := io.ReadAll(newCRLFReader(bytes.NewReader(in)))
		if err != nil {
			t.Fatal(err)
		}
		slow, _ := io.ReadAll(newCRLFReader(iotest.OneByteReader(bytes.NewReader(in))))
		if !bytes.Equal(out, slow) {
			t.Fatalf("chunking changes the output: %q vs %q", out, slow)
		}
		for i, b := range out {
			if b == '\r' && (i+1 == len(out) || out[i+1] != '\n') || b == '\n' && (i == 0 || out[i-1] != '\r') {
				t.Fatalf("bare CR/LF at %d in %q", i, out)
			}
		}
		strip := func(b []byte) []byte {
			return bytes.ReplaceAll(bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n")), []byte("\n"), nil)
		}
		if !bytes.Equal(strip(in), strip(out)) {
			t.Fatalf("content changed: %q -> %q", in, out)
		}
	})
}
