package smtp_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/postie/postie/internal/selfsigned"
	"github.com/postie/postie/sasl"
	"github.com/postie/postie/smtp"
	"github.com/postie/postie/smtp/smtptest"
)

// Certificates a client must refuse, over implicit TLS and STARTTLS. In
// each case the client trusts the issuing CA, so only the named defect
// can cause the refusal (the first case trusts a different CA).
func TestRefusesBadCertificates(t *testing.T) {
	now := time.Now()
	bundle := func(o selfsigned.Options) (*tls.Config, *x509.CertPool) {
		b, err := selfsigned.New(o)
		if err != nil {
			t.Fatal(err)
		}
		return b.ServerConfig(), b.Pool
	}
	cases := map[string]func() (*tls.Config, *x509.CertPool){
		"unknown CA": func() (*tls.Config, *x509.CertPool) {
			cfg, _ := bundle(selfsigned.Options{})
			_, other := bundle(selfsigned.Options{})
			return cfg, other
		},
		"expired": func() (*tls.Config, *x509.CertPool) {
			return bundle(selfsigned.Options{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-24 * time.Hour)})
		},
		"wrong host": func() (*tls.Config, *x509.CertPool) { return bundle(selfsigned.Options{Hosts: []string{"other.test"}}) },
		"CN only": func() (*tls.Config, *x509.CertPool) {
			return bundle(selfsigned.Options{Hosts: []string{"localhost"}, CNOnly: true})
		},
		"TLS 1.0 only": func() (*tls.Config, *x509.CertPool) {
			cfg, pool := bundle(selfsigned.Options{})
			cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
			return cfg, pool
		},
		"TLS 1.1 only": func() (*tls.Config, *x509.CertPool) {
			cfg, pool := bundle(selfsigned.Options{})
			cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS11, tls.VersionTLS11
			return cfg, pool
		},
	}
	for name, mk := range cases {
		for _, implicit := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/implicit=%v", name, implicit), func(t *testing.T) {
				cfg, pool := mk()
				script := "!tls-reject"
				mode := smtp.TLSImplicit
				if !implicit {
					script = "S: 220 mx.test\nC: EHLO client.test\nS: 250-mx.test\nS: 250 STARTTLS\nC: STARTTLS\nS: 220 go\n!starttls-reject"
					mode = smtp.TLSStartTLS
				}
				srv := smtptest.NewWithTLS(t, script, implicit, cfg)
				o := opts(srv, mode, nil)
				o.TLSConfig.RootCAs = pool
				_, err := smtp.Dial(context.Background(), srv.Addr, o)
				var te *smtp.TLSError
				if !errors.As(err, &te) {
					t.Fatalf("err = %v, want TLSError", err)
				}
				if err := srv.Wait(); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// The happy path of the same construction, so the refusals above cannot
// be an artefact of the set-up.
func TestAcceptsGoodCertificate(t *testing.T) {
	b, err := selfsigned.New(selfsigned.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.NewWithTLS(t, "S: 220 mx.test\nC: EHLO client.test\nS: 250 mx.test\nC: QUIT\nS: 221 bye", true, b.ServerConfig())
	o := opts(srv, smtp.TLSImplicit, nil)
	o.TLSConfig.RootCAs = b.Pool
	c, err := smtp.Dial(context.Background(), srv.Addr, o)
	if err != nil {
		t.Fatal(err)
	}
	c.Quit(context.Background())
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

// A 421 or a dropped connection at every step: the client ends quickly,
// never reports success, and says "may have been delivered" only when
// the connection went after the final dot.
func TestFailureAtEveryStep(t *testing.T) {
	dialogue := []string{
		"S: 220 mx.test ESMTP", "C: EHLO client.test", "S: 250 mx.test",
		"C: MAIL FROM:<a@x.test>", "S: 250 ok", "C: RCPT TO:<b@x.test>", "S: 250 ok",
		"C: DATA", "S: 354 go", "C: <data>", "S: 250 queued",
	}
	for i, line := range dialogue {
		if !strings.HasPrefix(line, "S: ") {
			continue
		}
		for _, fault := range []string{"421", "close"} {
			name := fmt.Sprintf("%s instead of %q", fault, line)
			t.Run(name, func(t *testing.T) {
				script := strings.Join(dialogue[:i], "\n") + "\n"
				if fault == "421" {
					script += "S: 421 4.3.2 service shutting down\n!close"
				} else {
					script += "!close"
				}
				srv := smtptest.New(t, script)
				o := opts(srv, smtp.TLSNone, nil)
				var err error
				c, derr := smtp.Dial(context.Background(), srv.Addr, o)
				if derr != nil {
					err = derr
				} else {
					var res *smtp.Result
					res, err = c.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody(msg))
					if res != nil && len(res.Delivered()) > 0 {
						t.Fatal("reported delivered")
					}
					lostAfterDot := line == "S: 250 queued" && fault == "close"
					if errors.Is(err, smtp.ErrNotDelivered) == lostAfterDot {
						t.Fatalf("not-delivered=%v for %v", errors.Is(err, smtp.ErrNotDelivered), err)
					}
					for _, st := range res.Recipients {
						if st.State == smtp.RcptRefused || st.State == smtp.RcptDelivered {
							t.Fatalf("%s: %v after a %s", st.Address, st.State, fault)
						}
					}
					c.Close()
				}
				if err == nil {
					t.Fatal("no error")
				}
				if !smtp.IsTemporary(err) {
					t.Fatalf("err = %v, want a temporary failure", err)
				}
				afterDot := line == "S: 250 queued"
				if errors.Is(err, smtp.ErrMaybeDelivered) != (afterDot && fault == "close") {
					t.Fatalf("maybe-delivered=%v for %v", errors.Is(err, smtp.ErrMaybeDelivered), err)
				}
				if fault == "421" {
					var se *smtp.Error
					if !errors.As(err, &se) || se.Code != 421 {
						t.Fatalf("err = %v, want the 421", err)
					}
				}
				if err := srv.Wait(); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// A server that stalls after the final dot: the DataTerm timeout fires
// and the outcome is "may have been delivered".
func TestStallAfterDot(t *testing.T) {
	srv := smtptest.New(t, "S: 220 mx.test\nC: EHLO client.test\nS: 250 mx.test\nC: MAIL FROM:<a@x.test>\nS: 250 ok\nC: RCPT TO:<b@x.test>\nS: 250 ok\nC: DATA\nS: 354 go\nC: <data>\n!stall")
	o := opts(srv, smtp.TLSNone, nil)
	o.Timeouts.DataTerm = 200 * time.Millisecond
	c := dialWith(t, srv, o)
	_, err := c.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody(msg))
	var te *smtp.TimeoutError
	if !errors.Is(err, smtp.ErrMaybeDelivered) || !errors.As(err, &te) {
		t.Fatalf("err = %v", err)
	}
	c.Close()
}

func dialWith(t *testing.T, srv *smtptest.Server, o *smtp.Options) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(context.Background(), srv.Addr, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// AUTH replies 538, 454 and 534 are told apart.
func TestAuthReplyCodes(t *testing.T) {
	for code, want := range map[string]string{
		"538 5.7.11 Encryption required":                "requires encryption",
		"454 4.7.0 Temporary authentication failure":    "temporary authentication failure",
		"534 5.7.9 Please log in with your web browser": "stronger mechanism or a login through the web",
	} {
		t.Run(code[:3], func(t *testing.T) {
			srv := smtptest.NewTLS(t, "S: 220 mx.test\nC: EHLO client.test\nS: 250-mx.test\nS: 250 AUTH LOGIN\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: dQ==\nS: 334 UGFzc3dvcmQ6\nC: cA==\nS: "+code+"\nC: QUIT\nS: 221 bye")
			c := dial(t, srv, smtp.TLSImplicit, nil)
			err := c.Auth(context.Background(), sasl.Login("u", "p"))
			var ae *smtp.AuthError
			if !errors.As(err, &ae) || ae.Reply.Code != atoi(code[:3]) || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v", err)
			}
			if smtp.IsTemporary(err) != (code[0] == '4') {
				t.Fatalf("temporary = %v", smtp.IsTemporary(err))
			}
			c.Quit(context.Background())
			if err := srv.Wait(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func atoi(s string) int { n := 0; fmt.Sscan(s, &n); return n }

// Capabilities differ before and after TLS: only the post-TLS list counts.
func TestCapabilitiesAfterTLSReplaceBefore(t *testing.T) {
	srv := smtptest.New(t, `S: 220 mx.test
C: EHLO client.test
S: 250-mx.test
S: 250-AUTH PLAIN LOGIN
S: 250-SMTPUTF8
S: 250 STARTTLS
C: STARTTLS
S: 220 go
!starttls
C: EHLO client.test
S: 250-mx.test
S: 250 SIZE 100
C: QUIT
S: 221 bye`)
	c := dial(t, srv, smtp.TLSStartTLS, nil)
	if _, err := c.ChooseMechanism(smtp.Credentials{Username: "u", Password: "p"}, ""); err == nil {
		t.Fatal("used AUTH announced before TLS")
	}
	if c.Extensions().Has("SMTPUTF8") || c.Extensions().MaxSize() != 100 {
		t.Fatalf("extensions %v", c.Extensions())
	}
	c.Quit(context.Background())
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

// A server at its session limit answers the greeting with 421.
func TestSessionLimitGreeting(t *testing.T) {
	srv := smtptest.New(t, "S: 421 4.7.0 Too many concurrent SMTP connections\n!close")
	_, err := smtp.Dial(context.Background(), srv.Addr, opts(srv, smtp.TLSNone, nil))
	var se *smtp.Error
	if !errors.As(err, &se) || se.Code != 421 || !smtp.IsTemporary(err) {
		t.Fatalf("err = %v", err)
	}
}

// Every end-of-data look-alike in a body goes out as content, one message,
// with no bare CR or LF on the wire.
func TestEndOfDataLookAlikes(t *testing.T) {
	body := "Subject: x\r\n\r\na\n.\nb\n.\r\nc\r.\r\nd\r\n.\re\r\n..\r\n.\n"
	srv := smtptest.New(t, "S: 220 mx.test\nC: EHLO client.test\nS: 250 mx.test\nC: MAIL FROM:<a@x.test>\nS: 250 ok\nC: RCPT TO:<b@x.test>\nS: 250 ok\nC: DATA\nS: 354 go\nC: <data>\nS: 250 ok\nC: QUIT\nS: 221 bye")
	c := dial(t, srv, smtp.TLSNone, nil)
	if _, err := c.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}, smtp.BytesBody([]byte(body))); err != nil {
		t.Fatal(err)
	}
	c.Quit(context.Background())
	if err := srv.Wait(); err != nil {
		t.Fatal(err) // one DATA, then QUIT: nothing was read as a second command
	}
	want := "Subject: x\r\n\r\na\r\n..\r\nb\r\n..\r\nc\r\n..\r\nd\r\n..\r\ne\r\n...\r\n..\r\n"
	if got := string(srv.Data()[0]); got != want {
		t.Fatalf("wire:\n%q\nwant\n%q", got, want)
	}
}

// 8-bit content to a server without 8BITMIME fails before MAIL.
func Test8BitWithout8BITMIME(t *testing.T) {
	srv := smtptest.New(t, "S: 220 mx.test\nC: EHLO client.test\nS: 250 mx.test\nC: QUIT\nS: 221 bye")
	c := dial(t, srv, smtp.TLSNone, nil)
	_, err := c.Send(context.Background(), &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}, Mail: smtp.MailOptions{Body8Bit: true}}, smtp.BytesBody([]byte("\x00\xff")))
	var ue *smtp.UnsupportedError
	if !errors.As(err, &ue) || ue.Extension != "8BITMIME" {
		t.Fatalf("err = %v", err)
	}
	c.Quit(context.Background())
	if err := srv.Wait(); err != nil {
		t.Fatal(err)
	}
}

// A client certificate given in TLSConfig is presented in the handshake.
func TestClientCertificate(t *testing.T) {
	srvB, err := selfsigned.New(selfsigned.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cliB, err := selfsigned.New(selfsigned.Options{Hosts: []string{"client.test"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := srvB.ServerConfig()
	cfg.ClientAuth = tls.RequireAnyClientCert
	for _, withCert := range []bool{true, false} {
		script := "S: 220 mx.test\nC: EHLO client.test\nS: 250 mx.test\nC: QUIT\nS: 221 bye"
		if !withCert {
			script = "!tls-reject"
		}
		srv := smtptest.NewWithTLS(t, script, true, cfg)
		o := opts(srv, smtp.TLSImplicit, nil)
		o.TLSConfig.RootCAs = srvB.Pool
		if withCert {
			o.TLSConfig.Certificates = []tls.Certificate{cliB.Cert}
		}
		c, err := smtp.Dial(context.Background(), srv.Addr, o)
		if withCert {
			if err != nil {
				t.Fatal(err)
			}
			c.Quit(context.Background())
		} else if err == nil {
			// TLS 1.3: the server's refusal may only show on the first read.
			c.Close()
		}
		if err := srv.Wait(); err != nil {
			t.Fatalf("withCert=%v: %v", withCert, err)
		}
	}
}
