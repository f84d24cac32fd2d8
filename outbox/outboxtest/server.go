package outboxtest

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
)

// Step is a point in an SMTP session where the Server can fail.
type Step string

const (
	Greeting Step = "greeting"
	Ehlo     Step = "ehlo"
	Mail     Step = "mail"
	Rcpt     Step = "rcpt"
	Data     Step = "data" // the DATA command, before 354
	Body     Step = "body" // in the middle of the message content
	Dot      Step = "dot"  // after the final dot, before its reply
	Quit     Step = "quit"
)

// Steps are all of them, in session order.
var Steps = []Step{Greeting, Ehlo, Mail, Rcpt, Data, Body, Dot, Quit}

// Fault is what the server does instead of going on.
type Fault struct {
	Code int // reply with this code (and Text) instead; 0: no reply
	Text string
	// Close drops the connection (after the reply, if any).
	Close bool
	// Keep (at Dot): store the message before acting, as a server does
	// that has taken it but whose reply never reaches the client.
	Keep bool
	// Wait, when set, holds the step until it is closed.
	Wait <-chan struct{}
}

// Message is what the server received in one transaction.
type Message struct {
	From      string
	To        []string
	Data      []byte // as received, dot-unstuffed
	MessageID string
	Conn      int    // which connection (1 for the first accepted)
	Remote    string // the client's address (host:port)
}

// Server is a plain SMTP server on 127.0.0.1 (PIPELINING, 8BITMIME,
// SIZE, SMTPUTF8, no TLS or AUTH) that records each accepted message.
type Server struct {
	Addr string

	fault FaultFunc
	ln    net.Listener
	mu    sync.Mutex
	msgs  []Message
	conns int
	wg    sync.WaitGroup
	open  map[net.Conn]bool
	most  int // the most connections open at once
}

// FaultFunc is asked at every step; rcpt is the recipient at the Rcpt
// step. A nil Fault means proceed. It may be called from several
// connections at once.
type FaultFunc func(step Step, m *Message, rcpt string) *Fault

// SetFault sets (or with nil clears) the server's faults.
func (s *Server) SetFault(f FaultFunc) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

func (s *Server) faultAt(step Step, m *Message, rcpt string) *Fault {
	s.mu.Lock()
	f := s.fault
	s.mu.Unlock()
	if f == nil {
		return nil
	}
	return f(step, m, rcpt)
}

// NewServer starts a server; it stops at the end of the test.
func NewServer(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln, open: map[net.Conn]bool{}}
	s.wg.Go(s.serve)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and drops its connections.
func (s *Server) Close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Messages returns what was accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Connections counts the connections accepted so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// Open counts the connections open now (a FaultFunc may call it: at the
// Greeting step it includes the connection being greeted).
func (s *Server) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.open)
}

// MaxOpen is the most connections that were open at once.
func (s *Server) MaxOpen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.most
}

// Copies counts accepted copies by "Message-ID recipient".
func (s *Server) Copies() map[string]int {
	out := map[string]int{}
	for _, m := range s.Messages() {
		for _, to := range m.To {
			out[m.MessageID+" "+to]++
		}
	}
	return out
}

func (s *Server) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns++
		n := s.conns
		s.open[c] = true
		s.most = max(s.most, len(s.open))
		s.mu.Unlock()
		s.wg.Go(func() {
			s.session(c, n)
			c.Close()
			s.mu.Lock()
			delete(s.open, c)
			s.mu.Unlock()
		})
	}
}

// session runs one connection. It returns when the connection should close.
func (s *Server) session(c net.Conn, conn int) {
	remote := c.RemoteAddr().String()
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	reply := func(code int, text string) bool {
		fmt.Fprintf(w, "%d %s\r\n", code, text)
		return w.Flush() == nil
	}
	// act applies a fault; it reports whether the session goes on
	// normally (false: the fault replied or closed instead).
	act := func(step Step, m *Message, rcpt string) (proceed, alive bool) {
		f := s.faultAt(step, m, rcpt)
		if f == nil {
			return true, true
		}
		if f.Wait != nil {
			<-f.Wait
		}
		if f.Keep && m != nil && m.Data != nil {
			s.keep(m)
		}
		if f.Code != 0 && !reply(f.Code, f.Text) {
			return false, false
		}
		if f.Close {
			return false, false
		}
		if f.Code == 0 && !f.Keep {
			return true, true // only a wait
		}
		return false, true
	}
	if ok, alive := act(Greeting, nil, ""); !ok {
		_ = alive
		return
	}
	if !reply(220, "outboxtest ESMTP") {
		return
	}
	var m *Message
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(line)
		if i := strings.IndexAny(verb, " :"); i >= 0 {
			verb = verb[:i]
		}
		switch verb {
		case "EHLO", "HELO":
			if ok, alive := act(Ehlo, nil, ""); !ok {
				if !alive {
					return
				}
				continue
			}
			fmt.Fprintf(w, "250-outboxtest\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 104857600\r\n")
			if w.Flush() != nil {
				return
			}
		case "MAIL":
			m = &Message{From: addrArg(line), Conn: conn, Remote: remote}
			if ok, alive := act(Mail, m, ""); !ok {
				m = nil
				if !alive {
					return
				}
				continue
			}
			reply(250, "2.1.0 ok")
		case "RCPT":
			if m == nil {
				reply(503, "5.5.1 MAIL first")
				continue
			}
			to := addrArg(line)
			if ok, alive := act(Rcpt, m, to); !ok {
				if !alive {
					return
				}
				continue
			}
			m.To = append(m.To, to)
			reply(250, "2.1.5 ok")
		case "DATA":
			if m == nil || len(m.To) == 0 {
				reply(554, "5.5.1 no valid recipients")
				continue
			}
			if ok, alive := act(Data, m, ""); !ok {
				m = nil
				if !alive {
					return
				}
				continue
			}
			if !reply(354, "go ahead") {
				return
			}
			data, complete := s.readData(r, m)
			if !complete {
				return
			}
			m.Data = data
			m.MessageID = messageID(data)
			if ok, alive := act(Dot, m, ""); !ok {
				m = nil
				if !alive {
					return
				}
				continue
			}
			s.keep(m)
			if !reply(250, "2.0.0 ok: queued as "+fmt.Sprint(len(s.Messages()))) {
				return
			}
			m = nil
		case "RSET":
			m = nil
			reply(250, "2.0.0 ok")
		case "NOOP":
			reply(250, "2.0.0 ok")
		case "QUIT":
			if ok, alive := act(Quit, &Message{Conn: conn, Remote: remote}, ""); !ok {
				_ = alive
				return
			}
			reply(221, "2.0.0 bye")
			return
		default:
			reply(502, "5.5.2 unknown command")
		}
	}
}

// readData reads the content up to the dot line, un-stuffing it. At the
// Body step a fault may cut the connection half-way.
func (s *Server) readData(r *bufio.Reader, m *Message) ([]byte, bool) {
	var data bytes.Buffer
	lines := 0
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, false
		}
		if line == ".\r\n" {
			return data.Bytes(), true
		}
		line = strings.TrimPrefix(line, ".")
		data.WriteString(line)
		lines++
		if lines == 2 {
			if f := s.faultAt(Body, m, ""); f != nil {
				if f.Wait != nil {
					<-f.Wait
				}
				if f.Close {
					return nil, false
				}
			}
		}
	}
}

func (s *Server) keep(m *Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, *m)
	s.mu.Unlock()
}

func addrArg(line string) string {
	i := strings.IndexByte(line, '<')
	j := strings.IndexByte(line, '>')
	if i < 0 || j < i {
		return ""
	}
	return line[i+1 : j]
}

func messageID(data []byte) string {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return ""
	}
	return msg.Header.Get("Message-Id")
}
