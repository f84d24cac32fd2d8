package smtptest

import (
	"bufio"
	"net"
	"strings"
	"testing"
)

// The server reports every way a client can leave the script: a wrong
// line, stopping early, and sending more than the script expects. Start
// tests use Err directly; New/NewTLS call it at cleanup, failing the test.
func TestDeviationsAreReported(t *testing.T) {
	const script = "S: 220 mx.test\nC: EHLO *\nS: 250 ok\nC: QUIT\nS: 221 bye"
	for name, c := range map[string]struct {
		send string
		want string // in the error; "" for none
	}{
		"exact":            {"EHLO x\r\nQUIT\r\n", ""},
		"wrong command":    {"EHLO x\r\nNOOP\r\n", `client sent "NOOP"`},
		"stopped early":    {"EHLO x\r\n", "EOF"},
		"more than script": {"EHLO x\r\nQUIT\r\nRSET\r\n", `client sent "RSET\r\n" after the script's end`},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := Start(script, false, nil)
			if err != nil {
				t.Fatal(err)
			}
			conn, err := net.Dial("tcp", s.Addr)
			if err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(conn)
			r.ReadString('\n') // greeting
			// Everything in one write, as a pipelining client does.
			conn.Write([]byte(c.send))
			for {
				if _, err := r.ReadString('\n'); err != nil {
					break
				}
				if strings.Count(c.send, "\r\n") == 1 {
					conn.Close() // stop early, after the reply to EHLO
					break
				}
			}
			conn.Close()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			got := s.Err()
			if c.want == "" && got != nil || c.want != "" && (got == nil || !strings.Contains(got.Error(), c.want)) {
				t.Fatalf("Err() = %v, want %q", got, c.want)
			}
		})
	}
}
