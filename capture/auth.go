package capture

import (
	"crypto/sha256"
	"crypto/subtle"
	"sync"
	"time"

	gosasl "github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

var (
	errBadCreds      = &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
	errTooManyFailed = &gosmtp.SMTPError{Code: 421, EnhancedCode: gosmtp.EnhancedCode{4, 7, 0}, Message: "Too many failed logins, closing connection"}
)

// authGuard checks passwords in constant time and slows down guessing:
// each failure waits AuthFailDelay, doubled for every recent failure from
// the same client address (RFC 4954 §9 asks servers to resist guessing).
type authGuard struct {
	users []credential
	lim   Limits

	mu    sync.Mutex
	fails map[string]failRecord // client IP -> recent failures
}

type credential struct{ user, pass [sha256.Size]byte }

type failRecord struct {
	n    int
	last time.Time
}

// failMemory is how long a client address's failures count against it.
const failMemory = 15 * time.Minute

func newAuthGuard(users map[string]string, lim Limits) *authGuard {
	g := &authGuard{lim: lim, fails: map[string]failRecord{}}
	for u, p := range users {
		g.users = append(g.users, credential{sha256.Sum256([]byte(u)), sha256.Sum256([]byte(p))})
	}
	return g
}

// match compares against every user with crypto/subtle, on hashes, so the
// time taken says nothing about the password's length or its prefix, nor
// about which user names exist.
func (g *authGuard) match(user, pass string) bool {
	u, p := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
	ok := 0
	for _, c := range g.users {
		ok |= subtle.ConstantTimeCompare(c.user[:], u[:]) & subtle.ConstantTimeCompare(c.pass[:], p[:])
	}
	return ok == 1
}

// penalty records a failure from ip and returns how long to wait.
func (g *authGuard) penalty(ip string) time.Duration {
	if g.lim.AuthFailDelay <= 0 {
		return 0
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	for k, r := range g.fails { // forget old failures; bounded by the live addresses
		if now.Sub(r.last) > failMemory {
			delete(g.fails, k)
		}
	}
	r := g.fails[ip]
	d := g.lim.AuthFailDelay << min(r.n, 5)
	g.fails[ip] = failRecord{n: r.n + 1, last: now}
	return d
}

// checkLogin is called by the SASL mechanisms with the decoded user and
// password; it never stores either.
func (cs *connState) checkLogin(user, pass string) error {
	g := cs.srv.auth
	if g.match(user, pass) {
		cs.user = user
		return nil
	}
	cs.authFailures++
	d := g.penalty(cs.ip)
	cs.srv.eventf("failed login from %s (%d on this connection), answering in %s", cs.lc.RemoteAddr(), cs.authFailures, d)
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-cs.lc.closed:
			t.Stop()
		}
	}
	if n := g.lim.MaxAuthFailures; n > 0 && cs.authFailures >= n {
		cs.lc.closeAfterNextWrite()
		return errTooManyFailed
	}
	return errBadCreds
}

func (se *session) AuthMechanisms() []string {
	if len(se.cs.srv.cfg.Users) == 0 {
		return nil
	}
	return []string{gosasl.Plain, gosasl.Login}
}

func (se *session) Auth(mech string) (gosasl.Server, error) {
	switch mech {
	case gosasl.Plain:
		return gosasl.NewPlainServer(func(identity, user, pass string) error {
			if identity != "" && identity != user {
				return se.cs.checkLogin("", "") // counts as a failure
			}
			return se.cs.checkLogin(user, pass)
		}), nil
	case gosasl.Login:
		return &loginServer{check: se.cs.checkLogin}, nil
	}
	return nil, gosasl.ErrUnexpectedClientResponse
}

// loginServer is the server side of AUTH LOGIN (go-sasl no longer has one).
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step = 1
		if resp == nil {
			return []byte("Username:"), false, nil
		}
		fallthrough
	case 1:
		l.user, l.step = string(resp), 2
		return []byte("Password:"), false, nil
	case 2:
		l.step = 3
		return nil, true, l.check(l.user, string(resp))
	}
	return nil, false, gosasl.ErrUnexpectedClientResponse
}
