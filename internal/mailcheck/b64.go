package mailcheck

import (
	"encoding/base64"
	"io"
)

// newB64 decodes base64 that is wrapped in CRLF lines.
func newB64(r io.Reader) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, &stripNL{r: r})
}

type stripNL struct{ r io.Reader }

func (s *stripNL) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		j := 0
		for _, c := range p[:n] {
			if c != '\r' && c != '\n' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}
