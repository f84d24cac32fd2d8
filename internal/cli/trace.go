package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/postie/postie/internal/textsafe"
	"github.com/postie/postie/smtp"
)

// tracer prints the SMTP dialogue in the seed's spirit: "C:" what postie
// sent, "S:" what the server said, "*" events. Credentials arrive already
// redacted from the engine; server text is decoded (GBK from 163/QQ) and
// stripped of terminal controls here.
type tracer struct {
	mu   sync.Mutex
	w    io.Writer
	data bool
}

func (t *tracer) trace(d smtp.Direction, line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch d {
	case smtp.Sent:
		fmt.Fprintf(t.w, "C: %s\n", textsafe.Escape(line))
	case smtp.Received:
		fmt.Fprintf(t.w, "S: %s\n", textsafe.Escape(decodeServerText(line)))
	case smtp.Info:
		fmt.Fprintf(t.w, "*  %s\n", textsafe.Escape(line))
	case smtp.DataSent:
		if t.data {
			fmt.Fprintf(t.w, "C| %s\n", textsafe.Escape(line))
		}
	}
}

// decodeServerText shows non-UTF-8 server text as GB18030 (a superset of
// GBK, which Chinese providers use) when that decodes cleanly.
func decodeServerText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	if dec, err := simplifiedchinese.GB18030.NewDecoder().String(s); err == nil && utf8.ValidString(dec) {
		return dec
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
