package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/smtp"
)

// progress draws one status line on a terminal while a large message
// goes out: bytes, rate, ETA. It writes nothing when stderr is not a
// terminal (scripts, cron, CI) or the message is small.
type progress struct {
	w     io.Writer
	total int64
	now   func() time.Time
	start time.Time
	last  time.Time
	done  int64
}

// minProgressSize is the smallest message that gets a progress line.
const minProgressSize = 4 << 20

func (p *progress) add(n int) {
	p.done += int64(n)
	t := p.now()
	if t.Sub(p.last) < 200*time.Millisecond && p.done < p.total {
		return
	}
	p.last = t
	fmt.Fprintf(p.w, "\r%s", p.line(t))
}

func (p *progress) line(t time.Time) string {
	el := t.Sub(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.done) / el
	}
	eta := "--"
	if rate > 0 && p.done < p.total {
		eta = time.Duration(float64(p.total-p.done) / rate * float64(time.Second)).Round(time.Second).String()
	} else if p.done >= p.total {
		eta = "0s"
	}
	pct := 100.0
	if p.total > 0 {
		pct = 100 * float64(p.done) / float64(p.total)
	}
	return i18n.Sprintf("postie: sending %s / %s (%3.0f%%)  %s/s  ETA %s   ", mib(p.done), mib(p.total), pct, mib(int64(rate)), eta)
}

func (p *progress) finish() { fmt.Fprint(p.w, "\r\033[K") }

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

type progressReader struct {
	r io.ReadCloser
	p *progress
}

func (r *progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.p.add(n)
	return n, err
}
func (r *progressReader) Close() error { return r.r.Close() }

// withProgress wraps body when stderr is a terminal and the message big.
func (a *App) withProgress(body smtp.Body, size int64, quiet bool) (smtp.Body, func()) {
	if quiet || size < minProgressSize || !a.stderrIsTerminal() {
		return body, func() {}
	}
	var p *progress
	return func() (io.ReadCloser, error) {
			rc, err := body()
			if err != nil {
				return nil, err
			}
			now := time.Now()
			p = &progress{w: a.Stderr, total: size, now: time.Now, start: now, last: now}
			return &progressReader{r: rc, p: p}, nil
		}, func() {
			if p != nil {
				p.finish()
			}
		}
}
