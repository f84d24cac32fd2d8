// Package dnstest is a DNS server on loopback for tests: it answers from
// resource records written in zone-file syntax, and can mark answers as
// DNSSEC-authenticated (the AD bit a validating resolver sets) or make a
// name fail with SERVFAIL, so DANE and MX logic are tested offline.
package dnstest

import (
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Server answers UDP queries on 127.0.0.1.
type Server struct {
	Addr string // host:port

	srv      *dns.Server
	mu       sync.Mutex
	rrs      []dns.RR
	secure   map[string]bool // owner names whose answers carry AD
	servfail map[string]bool
	queries  []string // "NAME TYPE", in order
}

// Start serves zone: one record per line in zone-file syntax. A line
// ending in "; secure" marks its owner name as signed (answers for it,
// including "no such record", carry the AD bit); a line "servfail NAME"
// makes every query for NAME fail with SERVFAIL. Unknown names get
// NXDOMAIN.
func Start(zone string) (*Server, error) {
	s := &Server{secure: map[string]bool{}, servfail: map[string]bool{}}
	if err := s.load(zone); err != nil {
		return nil, err
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.Addr = pc.LocalAddr().String()
	started := make(chan struct{})
	s.srv = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.answer), NotifyStartedFunc: func() { close(started) }}
	go s.srv.ActivateAndServe()
	<-started
	return s, nil
}

func (s *Server) load(zone string) error {
	for _, line := range strings.Split(zone, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if name, ok := strings.CutPrefix(line, "servfail "); ok {
			s.servfail[dns.CanonicalName(strings.TrimSpace(name))] = true
			continue
		}
		secure := false
		if i := strings.LastIndex(line, ";"); i >= 0 && strings.TrimSpace(line[i+1:]) == "secure" {
			line, secure = line[:i], true
		}
		rr, err := dns.NewRR(line)
		if err != nil {
			return fmt.Errorf("dnstest: %q: %w", line, err)
		}
		if rr == nil {
			continue
		}
		name := dns.CanonicalName(rr.Header().Name)
		rr.Header().Name = name
		if secure {
			s.secure[name] = true
		}
		s.rrs = append(s.rrs, rr)
	}
	return nil
}

func (s *Server) answer(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	if o := r.IsEdns0(); o != nil {
		m.SetEdns0(4096, o.Do())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range r.Question {
		name := dns.CanonicalName(q.Name)
		s.queries = append(s.queries, strings.TrimSuffix(name, ".")+" "+dns.TypeToString[q.Qtype])
		if s.servfail[name] {
			m.Rcode = dns.RcodeServerFailure
			break
		}
		known := false
		for _, rr := range s.rrs {
			if rr.Header().Name != name {
				continue
			}
			known = true
			if rr.Header().Rrtype == q.Qtype {
				m.Answer = append(m.Answer, dns.Copy(rr))
			}
		}
		if !known {
			m.Rcode = dns.RcodeNameError
		}
		// The AD bit only for clients that ask for DNSSEC data (DO or AD
		// in the query, RFC 6840 §5.7), as a validating resolver does.
		m.AuthenticatedData = s.secure[name] && (r.AuthenticatedData || r.IsEdns0() != nil && r.IsEdns0().Do())
	}
	w.WriteMsg(m)
}

// Queries returns the questions asked so far, as "name TYPE".
func (s *Server) Queries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries...)
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Shutdown() }
