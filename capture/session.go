package capture

import (
	"io"

	gosmtp "github.com/emersion/go-smtp"
)

// connState lives as long as the connection; go-smtp makes a new session
// after STARTTLS, and failures must survive that.
type connState struct {
	srv          *Server
	lc           *limitConn
	rec          *recorder
	ip           string
	user         string
	authFailures int
}

type session struct {
	cs   *connState
	conn *gosmtp.Conn
	tls  bool
	from string
	to   []string
}

var errAuthRequired = &gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

func (se *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if len(se.cs.srv.cfg.Users) > 0 && se.cs.user == "" {
		return errAuthRequired
	}
	if err := se.cs.srv.store.roomForOne(); err != nil {
		return err
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	se.to = append(se.to, to)
	return nil
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

func (se *session) Data(r io.Reader) error {
	return se.cs.srv.deliver(se, r)
}
