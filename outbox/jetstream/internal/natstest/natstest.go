// Package natstest runs NATS servers with JetStream inside a test
// process (github.com/nats-io/nats-server/v2/server) on random loopback
// ports, and reads the facts of the 3-node test cluster that
// test/nats/up.sh starts.
package natstest

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/postie/postie/internal/testenv"
)

// Start runs a single JetStream server for the test; it stops at the end.
func Start(t testing.TB) *server.Server {
	t.Helper()
	return StartWith(t, &server.Options{})
}

// StartWith runs a server with o (host, port, JetStream and its store
// directory are filled in when unset).
func StartWith(t testing.TB, o *server.Options) *server.Server {
	t.Helper()
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Port == 0 {
		o.Port = -1
	}
	o.JetStream = true
	if o.StoreDir == "" {
		o.StoreDir = t.TempDir()
	}
	o.NoSigs, o.NoLog = true, true
	s, err := server.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server did not start")
	}
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}

// Cluster reads the facts of the test cluster (test/nats/up.sh) from
// $NATS_ENV (default /tmp/postie-nats/env); see testenv.Env.
func Cluster(t testing.TB) map[string]string {
	t.Helper()
	return testenv.NATSCluster(t)
}

// Env is testenv.Env.
func Env(t testing.TB, envVar, def, what, start string) map[string]string {
	t.Helper()
	return testenv.Env(t, envVar, def, what, start)
}

// StartCluster runs a cluster of n JetStream servers in the test
// process, for tests that stop a node (the shared cluster must stay
// up for others). It returns the servers and their client URLs, comma
// separated; it waits until JetStream has a leader.
func StartCluster(t testing.TB, n int) ([]*server.Server, string) {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
	}
	var routes []*url.URL
	for _, p := range ports {
		routes = append(routes, &url.URL{Scheme: "nats-route", Host: fmt.Sprintf("127.0.0.1:%d", p)})
	}
	var srvs []*server.Server
	var urls []string
	for i := range n {
		s := StartWith(t, &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			Cluster:    server.ClusterOpts{Name: "own", Host: "127.0.0.1", Port: ports[i]},
			Routes:     routes,
		})
		srvs = append(srvs, s)
		urls = append(urls, s.ClientURL())
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		ready := true
		for _, s := range srvs {
			if !s.JetStreamIsCurrent() {
				ready = false
			}
		}
		if ready && anyLeader(srvs) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the in-process cluster has no JetStream leader after 30s")
		}
		time.Sleep(50 * time.Millisecond) // polling the cluster's election
	}
	return srvs, strings.Join(urls, ",")
}

func anyLeader(srvs []*server.Server) bool {
	for _, s := range srvs {
		if s.Running() && s.JetStreamIsLeader() {
			return true
		}
	}
	return false
}

// StreamLeader returns the running server that leads stream (in the
// global account), waiting up to 30 s for the cluster to elect one.
func StreamLeader(t testing.TB, srvs []*server.Server, stream string) *server.Server {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		for _, s := range srvs {
			if s.Running() && s.JetStreamIsStreamLeader(server.DEFAULT_GLOBAL_ACCOUNT, stream) {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream %s has no leader after 30s", stream)
		}
		time.Sleep(50 * time.Millisecond) // polling the cluster's election
	}
}

// Leads names those of streams that s leads now (for a test's log).
func Leads(s *server.Server, streams ...string) []string {
	var out []string
	for _, st := range streams {
		if s.JetStreamIsStreamLeader(server.DEFAULT_GLOBAL_ACCOUNT, st) {
			out = append(out, st)
		}
	}
	return out
}
