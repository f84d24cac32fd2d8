package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
)

// StartTLS upgrades the connection (RFC 3207) and says EHLO again,
// forgetting everything the server announced before TLS.
//
// Errors: *Error (STARTTLS refused), *ProtocolError (bytes injected
// before the handshake), *TLSError, *TimeoutError, a network error, or
// ctx's error; then those of Hello.
func (c *Client) StartTLS(ctx context.Context) error {
	if c.isTLS {
		return errors.New("STARTTLS: TLS is already active")
	}
	if _, err := c.cmd(ctx, c.tmo.Command, 220, "STARTTLS"); err != nil {
		return err
	}
	// Anything buffered now was sent before the handshake, in clear, and
	// would be read as if it came over TLS: response injection
	// (CVE-2011-0411 class). Refuse.
	if n := c.r.Buffered(); n > 0 {
		c.broken = &ProtocolError{Step: "STARTTLS", Reason: fmt.Sprintf("server sent %d bytes after its 220 and before the TLS handshake (response injection)", n)}
		c.conn.Close()
		return c.broken
	}
	if err := c.handshake(ctx); err != nil {
		return err
	}
	c.ext = nil
	return c.Hello(ctx)
}

func (c *Client) tlsConfig() *tls.Config {
	var cfg *tls.Config
	if c.opts.TLSConfig != nil {
		cfg = c.opts.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = c.host
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

func (c *Client) handshake(ctx context.Context) error {
	cfg := c.tlsConfig()
	tc := tls.Client(c.conn, cfg)
	hctx, cancel := context.WithTimeout(ctx, c.tmo.Connect)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		c.broken = err
		if ctx.Err() != nil {
			return fmt.Errorf("TLS handshake: %w", ctx.Err())
		}
		if hctx.Err() != nil {
			return fmt.Errorf("TLS handshake: %w", &TimeoutError{Step: "TLS handshake", After: c.tmo.Connect})
		}
		return &TLSError{Err: err}
	}
	c.setConn(tc)
	c.isTLS = true
	c.tlsState = tc.ConnectionState()
	if c.opts.Trace != nil {
		// A VerifyConnection hook (DANE) replaces Go's verification.
		c.opts.Trace(Info, DescribeTLS(c.tlsState, cfg.InsecureSkipVerify && cfg.VerifyConnection == nil))
	}
	return nil
}

// DescribeTLS summarises a handshake for a transcript.
func DescribeTLS(st tls.ConnectionState, insecure bool) string {
	s := fmt.Sprintf("TLS handshake: %s, %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	if len(st.PeerCertificates) > 0 {
		cert := st.PeerCertificates[0]
		s += fmt.Sprintf(", certificate subject %q issuer %q", cert.Subject.String(), cert.Issuer.String())
	}
	if insecure {
		s += ", NOT VERIFIED (insecure mode)"
	} else {
		s += ", verified"
	}
	return s
}
