package smtptest

// The script steps: what the server does for each line of a script.

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func (s *Server) step(connp *net.Conn, rp **bufio.Reader, step string) error {
	conn, r := *connp, *rp
	switch {
	case strings.HasPrefix(step, "S: ") || step == "S:":
		_, err := io.WriteString(conn, strings.TrimPrefix(strings.TrimPrefix(step, "S:"), " ")+"\r\n")
		return err
	case step == "C: <data>":
		var buf bytes.Buffer
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return fmt.Errorf("reading data: %w", err)
			}
			if l == ".\r\n" {
				break
			}
			buf.WriteString(l)
			if buf.Len() > 64<<20 {
				return errors.New("data over 64 MiB")
			}
		}
		s.mu.Lock()
		s.data = append(s.data, buf.Bytes())
		s.mu.Unlock()
		return nil
	case step == "C: <bdat>":
		l, err := s.readLine(r)
		if err != nil {
			return err
		}
		f := strings.Fields(l)
		if len(f) < 2 || f[0] != "BDAT" {
			return fmt.Errorf("want BDAT, got %q", l)
		}
		n, err := strconv.Atoi(f[1])
		if err != nil || n < 0 {
			return fmt.Errorf("bad BDAT size in %q", l)
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		s.mu.Lock()
		s.data = append(s.data, buf)
		s.mu.Unlock()
		return nil
	case strings.HasPrefix(step, "C: "):
		want := strings.TrimPrefix(step, "C: ")
		got, err := s.readLine(r)
		if err != nil {
			return err
		}
		if !match(want, got) {
			return fmt.Errorf("client sent %q", got)
		}
		return nil
	case step == "!starttls-reject":
		// The client must refuse the certificate: a failed handshake
		// is the expected outcome.
		tc := tls.Server(conn, s.TLSConfig)
		if err := tc.Handshake(); err == nil {
			return errors.New("client accepted a certificate it should have refused")
		}
		return errStop
	case step == "!starttls":
		tc := tls.Server(conn, s.TLSConfig)
		if err := tc.Handshake(); err != nil {
			return fmt.Errorf("handshake: %w", err)
		}
		*connp, *rp = tc, bufio.NewReader(tc)
		return nil
	case step == "!close":
		return conn.Close()
	case step == "!stall":
		conn.SetDeadline(time.Now().Add(20 * time.Second))
		io.Copy(io.Discard, r)
		return nil
	case step == "!eof":
		// A client that closes with replies still unread makes its
		// kernel reset the connection: that is a close too.
		if l, err := r.ReadString('\n'); l != "" || err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
			return fmt.Errorf("want client to close, got %q %v", l, err)
		}
		return nil
	case strings.HasPrefix(step, "!sleep "):
		d, err := time.ParseDuration(strings.TrimPrefix(step, "!sleep "))
		if err != nil {
			return err
		}
		time.Sleep(d)
		return nil
	case strings.HasPrefix(step, "!raw "):
		txt, err := strconv.Unquote(`"` + strings.TrimPrefix(step, "!raw ") + `"`)
		if err != nil {
			return err
		}
		_, err = io.WriteString(conn, txt)
		return err
	case strings.HasPrefix(step, "!drip "):
		f := strings.SplitN(strings.TrimPrefix(step, "!drip "), " ", 2)
		d, err := time.ParseDuration(f[0])
		if err != nil || len(f) < 2 {
			return fmt.Errorf("bad drip step")
		}
		conn.SetDeadline(time.Now().Add(time.Minute))
		for _, b := range []byte(f[1] + "\r\n") {
			if _, err := conn.Write([]byte{b}); err != nil {
				return nil // the client gave up: that is what drip tests
			}
			time.Sleep(d)
		}
		return nil
	case strings.HasPrefix(step, "!flood "):
		f := strings.SplitN(strings.TrimPrefix(step, "!flood "), " ", 2)
		n, err := strconv.Atoi(f[0])
		if err != nil || len(f) < 2 {
			return fmt.Errorf("bad flood step")
		}
		w := bufio.NewWriter(conn)
		for i := 0; i < n; i++ {
			if _, err := w.WriteString(f[1] + "\r\n"); err != nil {
				return nil // the client stopped reading: expected
			}
		}
		w.Flush()
		return nil
	case strings.HasPrefix(step, "!longline "):
		n, err := strconv.Atoi(strings.TrimPrefix(step, "!longline "))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(conn)
		w.WriteString("250 ")
		for i := 0; i < n; i++ {
			if err := w.WriteByte('x'); err != nil {
				return nil
			}
		}
		w.WriteString("\r\n")
		w.Flush()
		return nil
	}
	return fmt.Errorf("unknown script step")
}

// match reports whether got matches pattern, where each * stands for any
// run of characters (possibly empty).
func match(pattern, got string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == got
	}
	if !strings.HasPrefix(got, parts[0]) {
		return false
	}
	got = got[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(got, p)
		}
		j := strings.Index(got, p)
		if j < 0 {
			return false
		}
		got = got[j+len(p):]
	}
	return true
}
