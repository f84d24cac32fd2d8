// Package sasl implements the client side of the SASL mechanisms used with
// SMTP AUTH (RFC 4954): PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login),
// CRAM-MD5 (RFC 2195), XOAUTH2 (Google/Microsoft) and OAUTHBEARER (RFC 7628).
//
// A Mechanism only computes responses; the SMTP engine frames them, base64
// encodes them and keeps them out of transcripts.
package sasl

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Mechanism is one client-side SASL exchange. Start returns the initial
// response (nil for none). Next is called with each decoded server
// challenge and returns the response to send.
type Mechanism interface {
	Name() string
	Start() (initial []byte, err error)
	Next(challenge []byte) (response []byte, err error)
}

// Secret is implemented by every mechanism here that carries a password
// or token: the engine removes it (raw and base64) from anything the
// server says back during the exchange, so a server that echoes it
// cannot get it printed.
type Secret interface {
	Secret() string
}

// ErrUnexpectedChallenge is returned when a server sends more challenges
// than the mechanism has steps.
var ErrUnexpectedChallenge = errors.New("sasl: unexpected server challenge")

func checkNoNUL(what, s string) error {
	if strings.ContainsRune(s, 0) {
		return fmt.Errorf("sasl: %s contains a NUL byte", what)
	}
	return nil
}

type plain struct{ identity, user, pass string }

// Plain returns the PLAIN mechanism. identity is usually empty.
func Plain(identity, user, pass string) Mechanism { return &plain{identity, user, pass} }

func (m *plain) Name() string   { return "PLAIN" }
func (m *plain) Secret() string { return m.pass }
func (m *plain) Start() ([]byte, error) {
	for what, s := range map[string]string{"identity": m.identity, "username": m.user, "password": m.pass} {
		if err := checkNoNUL(what, s); err != nil {
			return nil, err
		}
	}
	return []byte(m.identity + "\x00" + m.user + "\x00" + m.pass), nil
}
func (m *plain) Next([]byte) ([]byte, error) { return nil, ErrUnexpectedChallenge }

type login struct {
	user, pass string
	initial    bool
	step       int
}

// Login returns the LOGIN mechanism in its challenge form, as the seed's
// exchange does: "AUTH LOGIN", then username and password each answering
// a 334. It answers by position, never by the prompt's text, since servers
// word it differently (163 sends "username:" in lower case).
func Login(user, pass string) Mechanism { return &login{user: user, pass: pass} }

// LoginInitial returns LOGIN sending the username with the AUTH command
// (the initial-response form); the password answers the first challenge.
func LoginInitial(user, pass string) Mechanism { return &login{user: user, pass: pass, initial: true} }

func (m *login) Name() string   { return "LOGIN" }
func (m *login) Secret() string { return m.pass }
func (m *login) Start() ([]byte, error) {
	if m.initial {
		m.step = 1
		return []byte(m.user), nil
	}
	return nil, nil
}
func (m *login) Next([]byte) ([]byte, error) {
	m.step++
	switch m.step {
	case 1:
		return []byte(m.user), nil
	case 2:
		return []byte(m.pass), nil
	}
	return nil, ErrUnexpectedChallenge
}

type cramMD5 struct {
	user, pass string
	done       bool
}

// CRAMMD5 returns the CRAM-MD5 mechanism: the password never crosses the
// wire, only an HMAC of the server's challenge.
func CRAMMD5(user, pass string) Mechanism { return &cramMD5{user: user, pass: pass} }

func (m *cramMD5) Name() string           { return "CRAM-MD5" }
func (m *cramMD5) Secret() string         { return m.pass }
func (m *cramMD5) Start() ([]byte, error) { return nil, nil }
func (m *cramMD5) Next(challenge []byte) ([]byte, error) {
	if m.done {
		return nil, ErrUnexpectedChallenge
	}
	m.done = true
	h := hmac.New(md5.New, []byte(m.pass))
	h.Write(challenge)
	return []byte(m.user + " " + hex.EncodeToString(h.Sum(nil))), nil
}

type xoauth2 struct {
	user, token string
	failed      bool
}

// XOAuth2 returns Google's and Microsoft's XOAUTH2 mechanism.
func XOAuth2(user, token string) Mechanism { return &xoauth2{user: user, token: token} }

func (m *xoauth2) Name() string   { return "XOAUTH2" }
func (m *xoauth2) Secret() string { return m.token }
func (m *xoauth2) Start() ([]byte, error) {
	if strings.ContainsAny(m.user+m.token, "\x01\x00") {
		return nil, errors.New("sasl: XOAUTH2 user or token contains a control byte")
	}
	return []byte("user=" + m.user + "\x01auth=Bearer " + m.token + "\x01\x01"), nil
}

// Next answers the server's JSON error challenge with an empty response,
// after which the server sends its final failure reply.
func (m *xoauth2) Next([]byte) ([]byte, error) {
	if m.failed {
		return nil, ErrUnexpectedChallenge
	}
	m.failed = true
	return []byte{}, nil
}

type oauthBearer struct {
	user, host string
	port       int
	token      string
	failed     bool
}

// OAuthBearer returns the RFC 7628 OAUTHBEARER mechanism.
func OAuthBearer(user, host string, port int, token string) Mechanism {
	return &oauthBearer{user: user, host: host, port: port, token: token}
}

func (m *oauthBearer) Name() string   { return "OAUTHBEARER" }
func (m *oauthBearer) Secret() string { return m.token }
func (m *oauthBearer) Start() ([]byte, error) {
	if strings.ContainsAny(m.user+m.token+m.host, "\x01\x00") {
		return nil, errors.New("sasl: OAUTHBEARER value contains a control byte")
	}
	// gs2-header: "n,a=<user>," with ',' and '=' escaped in the authzid.
	authz := strings.NewReplacer("=", "=3D", ",", "=2C").Replace(m.user)
	s := "n,a=" + authz + ",\x01"
	if m.host != "" {
		s += "host=" + m.host + "\x01"
	}
	if m.port != 0 {
		s += fmt.Sprintf("port=%d\x01", m.port)
	}
	return []byte(s + "auth=Bearer " + m.token + "\x01\x01"), nil
}

// Next answers the error challenge with the RFC 7628 §3.2.3 dummy "\x01".
func (m *oauthBearer) Next([]byte) ([]byte, error) {
	if m.failed {
		return nil, ErrUnexpectedChallenge
	}
	m.failed = true
	return []byte{0x01}, nil
}

// Preference lists password mechanisms from strongest to weakest: CRAM-MD5
// keeps the password off the wire even inside TLS; PLAIN needs one round
// trip; LOGIN is the oldest and slowest.
var Preference = []string{"CRAM-MD5", "PLAIN", "LOGIN"}
