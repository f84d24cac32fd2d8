package smtp

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/postie/postie/sasl"
)

// UnsupportedError means the server lacks an extension the caller needs.
type UnsupportedError struct {
	Extension string
	Detail    string
}

func (e *UnsupportedError) Error() string {
	s := "server does not support " + e.Extension
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// AuthError is a refused AUTH exchange. Code tells the cases apart:
// 535 bad credentials, 534 mechanism too weak or web login required,
// 454 temporary server failure, 538 encryption required.
type AuthError struct {
	Mechanism string
	Reply     *Error
}

func (e *AuthError) Error() string {
	var why string
	r := e.Reply
	switch r.Code {
	case 535:
		why = "credentials rejected"
	case 534:
		why = "server requires a stronger mechanism or a login through the web first"
	case 454:
		why = "temporary authentication failure"
	case 538:
		why = "server requires encryption for this mechanism"
	case 530:
		why = "authentication required"
	default:
		why = "authentication failed"
	}
	s := fmt.Sprintf("AUTH %s: %s: server replied %d", e.Mechanism, why, r.Code)
	if r.Enhanced != (EnhancedCode{}) {
		s += " " + r.Enhanced.String()
	}
	if r.Message != "" {
		s += " " + r.Message
	}
	return s
}

func (e *AuthError) Unwrap() error { return e.Reply }

// Credentials are what the caller has; ChooseMechanism picks how to use them.
type Credentials struct {
	Username string
	Password string
	Token    string // OAuth 2.0 access token, for XOAUTH2/OAUTHBEARER
}

// ChooseMechanism returns the mechanism to use: forced by name if given
// (and then it must be offered), else the strongest that both sides have.
func (c *Client) ChooseMechanism(creds Credentials, forced string) (sasl.Mechanism, error) {
	offered := c.ext.AuthMechanisms()
	if !c.ext.Has("AUTH") {
		why := "the server announced no AUTH"
		if !c.isTLS {
			why += " (many servers offer it only after TLS)"
		}
		return nil, &UnsupportedError{Extension: "AUTH", Detail: why}
	}
	mechanism := func(name string) sasl.Mechanism {
		switch name {
		case "PLAIN":
			return sasl.Plain("", creds.Username, creds.Password)
		case "LOGIN":
			return sasl.Login(creds.Username, creds.Password)
		case "CRAM-MD5":
			return sasl.CRAMMD5(creds.Username, creds.Password)
		case "XOAUTH2":
			return sasl.XOAuth2(creds.Username, creds.Token)
		case "OAUTHBEARER":
			port := 0
			if ta, ok := c.conn.RemoteAddr().(*net.TCPAddr); ok {
				port = ta.Port
			}
			return sasl.OAuthBearer(creds.Username, c.host, port, creds.Token)
		}
		return nil
	}
	if forced != "" {
		name := strings.ToUpper(forced)
		m := mechanism(name)
		if m == nil {
			return nil, fmt.Errorf("unknown AUTH mechanism %q: %w", forced, ErrInvalidArgument)
		}
		if !slices.Contains(offered, name) {
			return nil, &UnsupportedError{Extension: "AUTH " + name, Detail: "server offers " + strings.Join(offered, " ")}
		}
		return m, nil
	}
	prefs := sasl.Preference
	if creds.Token != "" {
		prefs = []string{"OAUTHBEARER", "XOAUTH2"}
	}
	for _, name := range prefs {
		if slices.Contains(offered, name) {
			return mechanism(name), nil
		}
	}
	return nil, &UnsupportedError{Extension: "AUTH", Detail: fmt.Sprintf("no usable mechanism among %q", offered)}
}

// Auth runs one SASL exchange (RFC 4954). It refuses to run without TLS
// unless Options.AllowInsecureAuth is set, before anything is sent.
// What the client sends is traced as "<redacted>".
func (c *Client) Auth(ctx context.Context, m sasl.Mechanism) error {
	if !c.isTLS && !c.opts.AllowInsecureAuth {
		return &SecurityError{Reason: "refusing to send credentials over a connection without TLS"}
	}
	name := m.Name()
	ir, err := m.Start()
	if err != nil {
		return err
	}
	line, shown := "AUTH "+name, "AUTH "+name
	if ir != nil {
		enc := "="
		if len(ir) > 0 {
			enc = base64.StdEncoding.EncodeToString(ir)
		}
		line, shown = line+" "+enc, shown+" <redacted>"
	}
	rep, err := c.roundTrip(ctx, c.tmo.Command, "AUTH", line, shown)
	for steps := 0; err == nil && rep.Code == 334; steps++ {
		if steps > 8 {
			return c.abortAuth(ctx, "too many challenges")
		}
		chal, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(rep.Text()))
		if derr != nil {
			return c.abortAuth(ctx, "server challenge is not valid base64")
		}
		resp, merr := m.Next(chal)
		if merr != nil {
			c.abortAuth(ctx, merr.Error())
			return fmt.Errorf("AUTH %s: %w", name, merr)
		}
		rep, err = c.roundTrip(ctx, c.tmo.Command, "AUTH", base64.StdEncoding.EncodeToString(resp), "<redacted>")
	}
	if err != nil {
		return err
	}
	if rep.Code == 235 {
		c.authed = true
		return nil
	}
	if rep.Code < 400 {
		return &ProtocolError{Step: "AUTH", Reason: "unexpected reply " + clip(rep.String(), 200)}
	}
	return &AuthError{Mechanism: name, Reply: &Error{Command: "AUTH " + name, Code: rep.Code, Enhanced: rep.Enhanced, Message: rep.Text()}}
}

// abortAuth cancels an exchange with "*" (RFC 4954 §4) and reports why.
func (c *Client) abortAuth(ctx context.Context, why string) error {
	c.roundTrip(ctx, c.tmo.Command, "AUTH", "*", "*")
	return &ProtocolError{Step: "AUTH", Reason: why}
}
