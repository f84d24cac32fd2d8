package main_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/postie/postie/capture"
	"github.com/postie/postie/internal/cli"
	"github.com/postie/postie/internal/dnstest"
	"github.com/postie/postie/internal/selfsigned"
	"github.com/postie/postie/internal/testbin"
	"github.com/postie/postie/smtp/smtptest"
)

// TestMain lets the test binary be "postie" (and "sendmail") inside the
// scripts. The "-code" variants print "[exit N]" on stderr and exit 0, so
// scripts can assert exact sysexits codes.
func TestMain(m *testing.M) {
	run := func() { os.Exit(cli.Main(os.Args)) }
	withCode := func(name string) func() {
		return func() {
			os.Args[0] = name
			code := cli.Main(os.Args)
			fmt.Fprintf(os.Stderr, "[exit %d]\n", code)
		}
	}
	testscript.Main(testbin.M(m), map[string]func(){
		"postie":             run,
		"sendmail":           run,
		"postie-code":        withCode("postie"),
		"sendmail-code":      withCode("sendmail"),
		"postie-routed-code": routedCode,
		"postie-tty-code":    ttyCode,
	})
}

// routedCode is postie-code whose connections go nowhere: each address
// it dials (a provider's host:port) is appended to $DIALED and refused;
// a name under .invalid does not resolve.
// Scripts see where postie would have connected without any network.
func routedCode() {
	app := &cli.App{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		IsTerminal: func(int) bool { return false }, Dialer: recordingDialer(os.Getenv("DIALED"))}
	os.Args[0] = "postie"
	code := app.Run(context.Background(), os.Args)
	fmt.Fprintf(os.Stderr, "[exit %d]\n", code)
}

// ttyCode is postie-code run as if from a terminal (stdin, stderr).
func ttyCode() {
	app := &cli.App{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, IsTerminal: func(int) bool { return true }}
	os.Args[0] = "postie"
	code := app.Run(context.Background(), os.Args)
	fmt.Fprintf(os.Stderr, "[exit %d]\n", code)
}

type recordingDialer string

func (d recordingDialer) DialContext(_ context.Context, network, addr string) (net.Conn, error) {
	if host, _, _ := net.SplitHostPort(addr); strings.HasSuffix(host, ".invalid") {
		// RFC 2606: a name that cannot exist, as the resolver says it.
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}
	f, err := os.OpenFile(string(d), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(f, addr)
	f.Close()
	return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
}

// TestScripts runs testdata/script/*.txtar: black-box tests of the CLI
// against the scripted fake server and the embedded capture server.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(e *testscript.Env) error {
			e.Setenv("POSTIE_CONFIG", filepath.Join(e.WorkDir, "no-config.toml"))
			e.Setenv("HOME", e.WorkDir)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "dkimpy" {
				return condDKIMPy()
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"fakesmtp":   cmdFakeSMTP,
			"fakewait":   cmdFakeWait,
			"fakedata":   cmdFakeData,
			"capture":    cmdCapture,
			"lastmail":   cmdLastMail,
			"mailcount":  cmdMailCount,
			"waitmail":   cmdWaitMail,
			"deadport":   cmdDeadPort,
			"dnsserver":  cmdDNSServer,
			"mxserver":   cmdMXServer,
			"stsserver":  cmdSTSServer,
			"dkimverify": cmdDKIMVerify,
			"envsubst": func(ts *testscript.TestScript, _ bool, a []string) {
				b := ts.ReadFile(a[0])
				ts.Check(os.WriteFile(ts.MkAbs(a[0]), []byte(os.Expand(b, ts.Getenv)), 0o600))
			},
			"chmod600": func(ts *testscript.TestScript, _ bool, a []string) { os.Chmod(ts.MkAbs(a[0]), 0o600) },
		},
	})
}

// fakesmtp NAME SCRIPTFILE [implicit] [evilcert]: a scripted server; $NAME
// is its address and $WORK/fake-ca.pem its CA. evilcert serves a
// certificate whose DNS names hold terminal escapes (valid for 127.0.0.1).
// At the end of the test the script must have been followed exactly.
func cmdFakeSMTP(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: fakesmtp NAME SCRIPTFILE [implicit] [evilcert]")
	}
	script := ts.ReadFile(args[1])
	implicit, evil := false, false
	for _, opt := range args[2:] {
		implicit = implicit || opt == "implicit"
		evil = evil || opt == "evilcert"
	}
	b, err := smtptest.Certs()
	ts.Check(err)
	var cfg *tls.Config
	if evil {
		b, err = selfsigned.New(selfsigned.Options{Hosts: []string{"evil\x1b]0;pwned\x07\x1b[2J.test", "127.0.0.1"}})
		ts.Check(err)
		cfg = b.ServerConfig()
	}
	srv, err := smtptest.Start(script, implicit, cfg)
	if err != nil {
		ts.Fatalf("fakesmtp: %v", err)
	}
	os.WriteFile(ts.MkAbs("fake-ca.pem"), b.CAPEM, 0o644)
	ts.Setenv(args[0], srv.Addr)
	_, port, _ := net.SplitHostPort(srv.Addr)
	ts.Setenv(args[0]+"_PORT", port)
	fakesMu.Lock()
	fakes[ts] = append(fakes[ts], fake{args[0], srv})
	fakesMu.Unlock()
	ts.Defer(func() { srv.Close() })
}

type fake struct {
	name string
	srv  *smtptest.Server
}

// fakes are the scripted servers of each running script, for fakewait.
var (
	fakesMu sync.Mutex
	fakes   = map[*testscript.TestScript][]fake{}
)

// findFake returns the scripted server NAME of this script.
func findFake(ts *testscript.TestScript, name string) *smtptest.Server {
	fakesMu.Lock()
	defer fakesMu.Unlock()
	for _, f := range fakes[ts] {
		if f.name == name {
			return f.srv
		}
	}
	ts.Fatalf("no fakesmtp %s", name)
	return nil
}

// fakewait NAME: the scripted server NAME saw exactly its script.
func cmdFakeWait(ts *testscript.TestScript, neg bool, args []string) {
	srv := findFake(ts, args[0])
	srv.Close()
	if err := srv.Wait(); err != nil {
		ts.Fatalf("fakesmtp %s: the client did not follow the script: %v", args[0], err)
	}
}

// capture NAME [USER PASSWORD] [maxconns=N]: postie's own server with a
// fresh CA in $WORK/NAME-ca.pem; $NAME is its address, messages in
// $WORK/NAME-maildir. maxconns=N turns connections beyond N away with 421.
func cmdCapture(ts *testscript.TestScript, neg bool, args []string) {
	b, err := selfsigned.New(selfsigned.Options{})
	if err != nil {
		ts.Fatalf("%v", err)
	}
	name := args[0]
	os.WriteFile(ts.MkAbs(name+"-ca.pem"), b.CAPEM, 0o644)
	cfg := capture.Config{Maildir: ts.MkAbs(name + "-maildir"), TLSConfig: b.ServerConfig(), Log: io.Discard}
	var rest []string
	for _, a := range args[1:] {
		if v, ok := strings.CutPrefix(a, "maxconns="); ok {
			n, err := strconv.Atoi(v)
			ts.Check(err)
			cfg.Limits.MaxConns = n
			continue
		}
		rest = append(rest, a)
	}
	if len(rest) == 2 {
		cfg.Users = map[string]string{rest[0]: rest[1]}
	}
	logf, _ := os.Create(ts.MkAbs(name + ".log"))
	cfg.Log = logf
	srv, err := capture.New(cfg)
	if err != nil {
		ts.Fatalf("%v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.Fatalf("%v", err)
	}
	go srv.Serve(ln)
	ts.Setenv(name, ln.Addr().String())
	ts.Setenv(name+"_PORT", fmt.Sprint(ln.Addr().(*net.TCPAddr).Port))
	ts.Defer(func() { srv.Close(); logf.Close() })
}

func maildirFiles(ts *testscript.TestScript, name string) []string {
	files, _ := filepath.Glob(ts.MkAbs(filepath.Join(name+"-maildir", "new", "*")))
	sort.Strings(files)
	return files
}

// lastmail NAME FILE: copies the newest stored message to FILE.
func cmdLastMail(ts *testscript.TestScript, neg bool, args []string) {
	files := maildirFiles(ts, args[0])
	if len(files) == 0 {
		ts.Fatalf("no message in %s-maildir/new", args[0])
	}
	b, err := os.ReadFile(files[len(files)-1])
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), b, 0o644))
}

// mailcount NAME N: exactly N messages stored.
func cmdMailCount(ts *testscript.TestScript, neg bool, args []string) {
	if got := fmt.Sprint(len(maildirFiles(ts, args[0]))); got != args[1] {
		ts.Fatalf("%s has %s messages, want %s", args[0], got, args[1])
	}
}

// waitmail NAME N: waits (at most a minute) until at least N messages
// are stored, for a test that stops postie part-way.
func cmdWaitMail(ts *testscript.TestScript, neg bool, args []string) {
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	deadline := time.Now().Add(time.Minute)
	for len(maildirFiles(ts, args[0])) < n {
		if time.Now().After(deadline) {
			ts.Fatalf("%s has %d messages after a minute, want %d", args[0], len(maildirFiles(ts, args[0])), n)
		}
		time.Sleep(5 * time.Millisecond) // polling the maildir, bounded above
	}
}

// deadport NAME: $NAME is a loopback address where nothing listens.
func cmdDeadPort(ts *testscript.TestScript, neg bool, args []string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	addr := ln.Addr().String()
	ln.Close()
	ts.Setenv(args[0], addr)
}

// fakedata NAME FILE: writes the message content the scripted server NAME
// received (its first <data>/<bdat>) to FILE.
func cmdFakeData(ts *testscript.TestScript, neg bool, args []string) {
	srv := findFake(ts, args[0])
	srv.Close()
	d := srv.Data()
	if len(d) == 0 {
		ts.Fatalf("fakesmtp %s received no content", args[0])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), d[0], 0o644))
}

// dnsserver NAME ZONEFILE...: a DNS server on 127.0.0.1 (UDP) answering
// from the resource records in the ZONEFILEs, with $VARS expanded (see
// internal/dnstest: "; secure" marks DNSSEC-authenticated names,
// "servfail NAME" a failing one); unknown names get NXDOMAIN. $NAME is
// its address.
func cmdDNSServer(ts *testscript.TestScript, neg bool, args []string) {
	var zone strings.Builder
	for _, f := range args[1:] {
		zone.WriteString(os.Expand(ts.ReadFile(f), ts.Getenv) + "\n")
	}
	srv, err := dnstest.Start(zone.String())
	if err != nil {
		ts.Fatalf("dnsserver: %v", err)
	}
	ts.Setenv(args[0], srv.Addr)
	ts.Defer(func() { srv.Close() })
}
