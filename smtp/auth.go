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

// Credentials are what the caller has; ChooseMechanism picks how to use them.
type Credentials struct {
	Username string
	Password string
	Token    string // OAuth 2.0 access token, for XOAUTH2/OAUTHBEARER
}

// ChooseMechanism returns the mechanism to use: forced by name if given
// (and then it must be offered), else the strongest that both sides have.
// Errors: ErrInvalidArgument (an unknown forced name), *UnsupportedError
// (no AUTH offered, the forced one not offered, or no usable one).
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
// What the client sends is traced as "<redacted>", and whatever the
// server says during the exchange (trace lines, *AuthError, a protocol
// error) is scrubbed of every payload sent, raw and base64, and of the
// mechanism's password or token (sasl.Secret), so a server that echoes
// the credential cannot get it printed.
//
// Errors: *SecurityError (no TLS), *AuthError (refused: 535, 534, 454,
// 538...; unwraps to *Error), *ProtocolError (a challenge that is not
// base64, too many challenges, an unexpected reply), the mechanism's own
// error, *TimeoutError, a network error or ctx's error.
func (c *Client) Auth(ctx context.Context, m sasl.Mechanism) error {
	if !c.isTLS && !c.opts.AllowInsecureAuth {
		return &SecurityError{Reason: "refusing to send credentials over a connection without TLS"}
	}
	defer func() { c.secrets = nil }()
	if sm, ok := m.(sasl.Secret); ok {
		c.hide([]byte(sm.Secret()))
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
		c.hide(ir)
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
		c.hide(resp)
		rep, err = c.roundTrip(ctx, c.tmo.Command, "AUTH", base64.StdEncoding.EncodeToString(resp), "<redacted>")
	}
	if err != nil {
		return err
	}
	c.scrubReply(rep)
	if rep.Code == 235 {
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

// minSecret is the shortest raw secret scrubbed from server text: a
// shorter one would also match ordinary words of the reply. Base64 forms
// and whole payloads are always scrubbed.
const minSecret = 4

// hide adds a payload sent during AUTH to what server text must not show:
// its raw bytes (a PLAIN blob a server prints decoded) and its base64
// forms. The password or token inside comes from sasl.Secret.
func (c *Client) hide(p []byte) {
	if len(p) == 0 {
		return
	}
	add := func(s string, min int) {
		if len(s) >= min && !slices.Contains(c.secrets, s) {
			c.secrets = append(c.secrets, s)
		}
	}
	add(base64.StdEncoding.EncodeToString(p), 1)
	add(base64.RawStdEncoding.EncodeToString(p), minSecret)
	add(string(p), minSecret)
	// Longest first, so a whole blob is replaced before its parts.
	slices.SortFunc(c.secrets, func(a, b string) int { return len(b) - len(a) })
}

// scrub replaces every secret of the current AUTH exchange in s.
func (c *Client) scrub(s string) string {
	for _, sec := range c.secrets {
		s = strings.ReplaceAll(s, sec, "<redacted>")
	}
	return s
}

func (c *Client) scrubReply(rep *Reply) {
	for i := range rep.Lines {
		rep.Lines[i] = c.scrub(rep.Lines[i])
	}
}
