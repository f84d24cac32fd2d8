package cli

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"

	"github.com/postie/postie/dkim"
	"github.com/postie/postie/internal/exitcode"
	"github.com/postie/postie/internal/i18n"
	"github.com/postie/postie/message"
	"github.com/postie/postie/smtp"
)

// sendmailInput is the message sendmail mode read on stdin: checked
// line by line, with CRLF line endings (the bytes SMTP sends, so SIZE=
// is what the server receives), Bcc removed, and spooled because a
// message is sent more than once (one transaction per batch of
// recipients) while stdin can be read only once.
type sendmailInput struct {
	spool *os.File // unlinked: see createSpool
	name  string   // set only if the name could not be removed at once
	size  int64
	info  *message.Info
	prep  *message.Prepared

	signer  *dkim.Signer      // nil: no DKIM signature
	form    message.Transport // what the server carries (plan)
	convert bool              // form differs from the spool
	send    smtp.Body         // the chosen form, signed (plan)
}

// readSendmailInput reads the message: a line with a lone dot ends it
// when dotIsEnd (sendmail without -i); from is the From to add when the
// message has none. Cancelling ctx (SIGINT, SIGTERM) returns at once,
// even while stdin is still open.
func readSendmailInput(ctx context.Context, stdin io.Reader, dotIsEnd bool, from *message.Address) (*sendmailInput, error) {
	in := &sendmailInput{}
	var err error
	if in.spool, in.name, err = createSpool(); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() {
		r := stdin
		if dotIsEnd {
			r = &dotReader{br: bufio.NewReaderSize(r, 64<<10)}
		}
		sc := message.NewScanner(r)
		bw := bufio.NewWriterSize(in.spool, 64<<10)
		prep, err := message.Prepare(sc, bw, message.PrepareOptions{From: from})
		if err == nil {
			err = bw.Flush()
		}
		if err == nil {
			in.prep, in.info = prep, sc.Info()
		}
		done <- err
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		in.Close()
		return nil, exitcode.With(exitcode.Interrupted, i18n.Errorf("interrupted while reading the message; nothing was sent"), "")
	}
	if err == nil {
		in.size, err = in.spool.Seek(0, io.SeekEnd)
	}
	if err != nil {
		in.Close()
		return nil, inputError(err)
	}
	return in, nil
}

// createSpool makes the spool file with os.CreateTemp: a new random name,
// opened with O_EXCL and mode 0600, so a file or symlink another user
// planted is never opened or followed. The name is removed at once: the
// open file is postie's alone, and nothing is left behind whatever ends
// the process (SIGTERM, SIGKILL, a crash).
func createSpool() (*os.File, string, error) {
	f, err := os.CreateTemp("", "postie-sendmail-*")
	if err != nil {
		return nil, "", exitcode.With(exitcode.CantCreat, i18n.Errorf("spool file for the message: %w", err), i18n.T("set TMPDIR to a directory you can write"))
	}
	if err := os.Remove(f.Name()); err != nil {
		return f, f.Name(), nil // a system that cannot unlink open files: Close removes it
	}
	return f, "", nil
}

// Close releases the spool.
func (in *sendmailInput) Close() error {
	err := in.spool.Close()
	if in.name != "" {
		os.Remove(in.name)
	}
	return err
}

func inputError(err error) error {
	var le *message.LineError
	if errors.As(err, &le) {
		hint := ""
		if errors.Is(err, message.ErrLineTooLong) {
			hint = i18n.T("wrap the text, or send the data as an attachment (postie send --attach), so that lines stay under 998 octets")
		}
		return exitcode.With(exitcode.DataErr, i18n.Errorf("reading the message: %w", err), hint)
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return exitcode.With(exitcode.IOErr, err, "")
	}
	return exitcode.With(exitcode.DataErr, i18n.Errorf("reading the message: %w", err), "")
}

// plan fits the message to the server once its EHLO is known, as Postfix
// does: as it came where 8BITMIME is offered (BODY=8BITMIME when it has
// 8-bit octets), else converted to 7-bit (RFC 6152 §3); SMTPUTF8 when a
// header address needs it. SIZE= is the size of what will be sent.
func (in *sendmailInput) plan(ext smtp.Extensions, env *smtp.Envelope) error {
	in.form = message.SevenBit
	if ext.Has("8BITMIME") {
		in.form = message.EightBit
	}
	smtputf8 := ext.Has("SMTPUTF8")
	if err := in.info.Problem(in.form, smtputf8); err != nil {
		return planError(err)
	}
	env.Mail.SMTPUTF8 = env.Mail.SMTPUTF8 || in.info.NeedsSMTPUTF8 && smtputf8
	env.Mail.Body8Bit = in.form == message.EightBit && in.info.Needs8BitMIME()
	env.Mail.Size = in.size
	in.convert = in.info.NeedsConversion(in.form)
	if in.convert {
		n, err := message.Convert(io.Discard, io.NewSectionReader(in.spool, 0, in.size), in.info, in.form)
		if err != nil {
			return planError(err)
		}
		env.Mail.Size = n
	}
	in.send = in.formBody()
	if in.signer != nil {
		var err error
		if in.send, env.Mail.Size, err = signedBody(in.signer, in.send, env.Mail.Size); err != nil {
			return err
		}
	}
	return nil
}

func planError(err error) error {
	if errors.Is(err, message.ErrNeedsSMTPUTF8) {
		return exitcode.With(exitcode.Unavailable, i18n.Errorf("the server does not offer SMTPUTF8, which this message needs: %w", err),
			i18n.T("write the address in ASCII, or send through a server that offers SMTPUTF8"))
	}
	return exitcode.With(exitcode.DataErr, i18n.Errorf("the server does not offer 8BITMIME, and the message cannot be made 7-bit: %w", err),
		i18n.T("fix the part's Content-Transfer-Encoding, or send through a server that offers 8BITMIME"))
}

// body opens the message as plan chose (plan runs first, once the
// server's EHLO is known).
func (in *sendmailInput) body() smtp.Body {
	return func() (io.ReadCloser, error) { return in.send() }
}

// formBody opens the spool as it is, or its conversion, streamed.
func (in *sendmailInput) formBody() smtp.Body {
	return func() (io.ReadCloser, error) {
		r := io.NewSectionReader(in.spool, 0, in.size)
		if !in.convert {
			return io.NopCloser(r), nil
		}
		pr, pw := io.Pipe()
		go func() {
			_, err := message.Convert(pw, r, in.info, in.form)
			pw.CloseWithError(err)
		}()
		return pr, nil
	}
}
