package smtp_test

import (
	"bytes"
	"context"
	"io"
	"net"
	netsmtp "net/smtp"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/postie/postie/smtp"
)

// sink is a go-smtp server that discards everything: the same loopback
// peer for postie's engine and for Go's net/smtp.
type sinkSession struct{}

func (sinkSession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (sinkSession) Data(r io.Reader) error                 { _, err := io.Copy(io.Discard, r); return err }
func (sinkSession) Reset()                                 {}
func (sinkSession) Logout() error                          { return nil }

func startSink(b *testing.B) string {
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return sinkSession{}, nil }))
	srv.Domain = "sink.test"
	srv.MaxMessageBytes = 1 << 30
	srv.ErrorLog = nopLogger{}
	ln, err := netListen()
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

var small = []byte("From: a@x.test\r\nTo: b@x.test\r\nSubject: bench\r\n\r\nI love computer networks!\r\n")

// BenchmarkMessagesOneConnection: many small messages over one
// connection, one op = one message. postie pipelines MAIL/RCPT/DATA.
// The "-rtt1ms" variants go through a proxy that delays each direction
// by 0.5 ms, as a network between client and server does.
func BenchmarkMessagesOneConnection(b *testing.B) {
	for _, delay := range []time.Duration{0, 500 * time.Microsecond} {
		suffix := ""
		if delay > 0 {
			suffix = "-rtt1ms"
		}
		benchMessages(b, suffix, delay)
	}
}

func benchMessages(b *testing.B, suffix string, delay time.Duration) {
	b.Run("postie"+suffix, func(b *testing.B) {
		addr := delayProxy(b, startSink(b), delay)
		ctx := context.Background()
		c, err := smtp.Dial(ctx, addr, &smtp.Options{TLS: smtp.TLSNone, DisableChunking: true})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Quit(ctx)
		env := &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}
		body := smtp.BytesBody(small)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := c.Send(ctx, env, body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("postie-sendall"+suffix, func(b *testing.B) {
		addr := delayProxy(b, startSink(b), delay)
		ctx := context.Background()
		c, err := smtp.Dial(ctx, addr, &smtp.Options{TLS: smtp.TLSNone, DisableChunking: true})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Quit(ctx)
		env := &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}
		jobs := make([]smtp.Job, b.N)
		for i := range jobs {
			jobs[i] = smtp.Job{Env: env, Body: smtp.BytesBody(small)}
		}
		b.ResetTimer()
		_, errs := c.SendAll(ctx, jobs)
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("net-smtp"+suffix, func(b *testing.B) {
		addr := delayProxy(b, startSink(b), delay)
		c, err := netsmtp.Dial(addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Quit()
		if err := c.Hello("localhost"); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := c.Mail("a@x.test"); err != nil {
				b.Fatal(err)
			}
			if err := c.Rcpt("b@x.test"); err != nil {
				b.Fatal(err)
			}
			w, err := c.Data()
			if err != nil {
				b.Fatal(err)
			}
			w.Write(small)
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDataThroughput: one 8 MiB message of 76-column lines (like a
// base64 attachment); MB/s and allocations per message.
func BenchmarkDataThroughput(b *testing.B) {
	line := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0", 1)[:76] + "\r\n"
	body := bytes.Repeat([]byte(line), 8<<20/len(line))
	for _, name := range []string{"postie-data", "postie-bdat", "net-smtp"} {
		b.Run(name, func(b *testing.B) {
			addr := startSink(b)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			if name == "net-smtp" {
				c, err := netsmtp.Dial(addr)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Quit()
				c.Hello("localhost")
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					c.Mail("a@x.test")
					c.Rcpt("b@x.test")
					w, _ := c.Data()
					w.Write(body)
					if err := w.Close(); err != nil {
						b.Fatal(err)
					}
				}
				return
			}
			ctx := context.Background()
			c, err := smtp.Dial(ctx, addr, &smtp.Options{TLS: smtp.TLSNone, DisableChunking: name == "postie-data"})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Quit(ctx)
			env := &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}
			src := smtp.BytesBody(body)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := c.Send(ctx, env, src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// delayProxy forwards to addr, holding each chunk for d in each direction.
func delayProxy(b *testing.B, addr string, d time.Duration) string {
	if d == 0 {
		return addr
	}
	ln, err := netListen()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", addr)
			if err != nil {
				in.Close()
				return
			}
			pipe := func(dst, src net.Conn) {
				buf := make([]byte, 64*1024)
				for {
					n, err := src.Read(buf)
					if n > 0 {
						time.Sleep(d)
						if _, werr := dst.Write(buf[:n]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				dst.Close()
				src.Close()
			}
			go pipe(out, in)
			go pipe(in, out)
		}
	}()
	return ln.Addr().String()
}
