package smtp

import "context"

// The low-level commands, one round trip each, for callers that drive a
// transaction themselves (as net/smtp's Client does). Send, SendAndQuit
// and SendEach do all of this, pipelined, with per-recipient results.

// Mail sends MAIL FROM with the given options, after checking the address
// and the options against what the server announced.
//
// Errors: ErrInvalidArgument, *UnsupportedError, *TooLargeError (before
// anything is sent); *Error when the server refuses; *ProtocolError,
// *TimeoutError, a network error or ctx's error.
func (c *Client) Mail(ctx context.Context, from string, o MailOptions) error {
	if from != "" {
		if err := CheckAddress(from); err != nil {
			return err
		}
	}
	line, err := c.mailLine(from, o, o.SMTPUTF8 || !isASCII(from))
	if err != nil {
		return err
	}
	_, err = c.cmd(ctx, c.tmo.Mail, 200, line)
	return err
}

// Rcpt sends RCPT TO for one recipient. Any 2yz reply is success: 250,
// and 251 "user not local; will forward" (RFC 5321 §3.4). Errors as for
// Mail.
func (c *Client) Rcpt(ctx context.Context, to string, o RcptOptions) error {
	if err := CheckAddress(to); err != nil {
		return err
	}
	line, err := c.rcptLine(to, o)
	if err != nil {
		return err
	}
	_, err = c.cmd(ctx, c.tmo.Rcpt, 200, line)
	return err
}

// Data sends DATA and, after the server's 354, returns a writer for the
// content; its CloseWithReply sends the final dot. Errors: *Error when
// the server refuses DATA, *ProtocolError, *TimeoutError, a network error
// or ctx's error.
func (c *Client) Data(ctx context.Context) (*DataWriter, error) {
	if _, err := c.cmd(ctx, c.tmo.DataInit, 354, "DATA"); err != nil {
		return nil, err
	}
	dw := c.newDataWriter(ctx)
	dw.stop = c.watch(ctx)
	return dw, nil
}
