package cli

import (
	"fmt"
	"io"
	"sync"

	"github.com/postie/postie/internal/explain"
	"github.com/postie/postie/internal/textsafe"
	"github.com/postie/postie/smtp"
)

// tracer prints the SMTP dialogue in the seed's spirit: "C:" what postie
// sent, "S:" what the server said, "*" events. Credentials arrive already
// redacted from the engine; server text is decoded (GBK from 163/QQ) and
// stripped of terminal controls here.
type tracer struct {
	mu      sync.Mutex
	w       io.Writer
	data    bool
	explain *explain.Explainer // --explain: a sentence under each line
}

func (t *tracer) trace(d smtp.Direction, line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var dir explain.Dir
	switch d {
	case smtp.Sent:
		fmt.Fprintf(t.w, "C: %s\n", textsafe.Terminal(line))
		dir = explain.Client
	case smtp.Received:
		line = decodeServerText(line)
		fmt.Fprintf(t.w, "S: %s\n", textsafe.Terminal(line))
		dir = explain.Server
	case smtp.Info:
		fmt.Fprintf(t.w, "*  %s\n", textsafe.Terminal(line))
		dir = explain.Event
	case smtp.DataSent:
		if t.data {
			fmt.Fprintf(t.w, "C| %s\n", textsafe.Terminal(line))
		}
		return
	}
	if t.explain != nil {
		fmt.Fprintf(t.w, "   ↳ %s\n", t.explain.Explain(dir, line)) // the catalogue escapes what it repeats
	}
}

// decodeServerText shows non-UTF-8 server text as GB18030 (a superset of
// GBK, which Chinese providers use) when that decodes cleanly.
func decodeServerText(s string) string { return textsafe.ToUTF8(s) }
