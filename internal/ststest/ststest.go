// Package ststest serves MTA-STS policies over HTTPS on loopback for
// tests, with a throwaway CA, and a dialer that reaches it through a
// test DNS server.
package ststest

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/postie/postie/internal/selfsigned"
)

// Server answers https://mta-sts.<domain>/.well-known/mta-sts.txt for the
// domains it was given.
type Server struct {
	Addr  string // ip:port
	Port  string
	CA    *selfsigned.Bundle // its CAPEM and Pool trust the server
	Hits  atomic.Int32       // policy requests served
	srv   *http.Server
	mu    sync.Mutex
	files map[string]Response // by host name
}

// Response is what the server sends for one host.
type Response struct {
	Status      int    // default 200
	ContentType string // default text/plain
	Body        string
	Location    string // for a redirect
}

// Start listens on ip (e.g. "127.0.0.7") with a certificate for every
// mta-sts.<domain> of domains.
func Start(ip string, domains ...string) (*Server, error) {
	var hosts []string
	for _, d := range domains {
		hosts = append(hosts, "mta-sts."+d)
	}
	ca, err := selfsigned.New(selfsigned.Options{Hosts: hosts})
	if err != nil {
		return nil, err
	}
	ln, err := tls.Listen("tcp", ip+":0", ca.ServerConfig())
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), CA: ca, files: map[string]Response{}}
	_, s.Port, _ = net.SplitHostPort(s.Addr)
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve)}
	go s.srv.Serve(ln)
	return s, nil
}

// Set makes the server answer r for domain's policy.
func (s *Server) Set(domain string, r Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files["mta-sts."+domain] = r
}

func (s *Server) serve(w http.ResponseWriter, req *http.Request) {
	host, _, _ := strings.Cut(req.Host, ":")
	s.mu.Lock()
	r, ok := s.files[host]
	s.mu.Unlock()
	if !ok || req.URL.Path != "/.well-known/mta-sts.txt" {
		http.NotFound(w, req)
		return
	}
	s.Hits.Add(1)
	if r.Location != "" {
		http.Redirect(w, req, r.Location, http.StatusFound)
		return
	}
	ct := r.ContentType
	if ct == "" {
		ct = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	if r.Status != 0 {
		w.WriteHeader(r.Status)
	}
	w.Write([]byte(r.Body))
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Dialer resolves names through the DNS server at dnsAddr and dials the
// given port instead of the one asked for (443 in a policy URL).
func Dialer(dnsAddr, port string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, dnsAddr)
	}}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		return (&net.Dialer{Resolver: r}).DialContext(ctx, network, net.JoinHostPort(host, port))
	}
}
