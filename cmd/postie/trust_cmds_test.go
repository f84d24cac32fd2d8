package main_test

import (
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/postie/postie/capture"
	"github.com/postie/postie/dane"
	"github.com/postie/postie/internal/dkimtest"
	"github.com/postie/postie/internal/selfsigned"
	"github.com/postie/postie/internal/ststest"
)

// The MX servers of one script share one port number ($MXPORT) on
// different loopback addresses (127.0.0.2, 127.0.0.3, ...), as MX hosts
// share port 25.
var (
	mxPortsMu sync.Mutex
	mxPorts   = map[*testscript.TestScript]string{}
)

// mxserver NAME IP [notls] [cert=HOST]: postie's capture server on
// IP:$MXPORT, messages in $WORK/NAME-maildir. With TLS (the default) its
// certificate names HOST (default: mx host NAME.example.test is not
// assumed; give cert=), its CA is appended to $WORK/cas.pem, and
// $NAME_TLSA311 is the DANE-EE 3 1 1 data of its key.
func cmdMXServer(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: mxserver NAME IP [notls] [cert=HOST]")
	}
	name, ip := args[0], args[1]
	useTLS, certHost := true, "localhost"
	for _, a := range args[2:] {
		switch {
		case a == "notls":
			useTLS = false
		case strings.HasPrefix(a, "cert="):
			certHost = strings.TrimPrefix(a, "cert=")
		default:
			ts.Fatalf("mxserver: unknown option %q", a)
		}
	}
	cfg := capture.Config{Maildir: ts.MkAbs(name + "-maildir"), Log: io.Discard}
	if useTLS {
		b, err := selfsigned.New(selfsigned.Options{Hosts: []string{certHost}})
		ts.Check(err)
		appendFile(ts, "cas.pem", b.CAPEM)
		leaf, err := x509.ParseCertificate(b.Cert.Certificate[0])
		ts.Check(err)
		ts.Setenv(name+"_TLSA311", hex.EncodeToString(dane.Record(3, 1, 1, leaf).Data))
		cfg.TLSConfig = b.ServerConfig()
	}
	srv, err := capture.New(cfg)
	ts.Check(err)
	mxPortsMu.Lock()
	port, ok := mxPorts[ts]
	mxPortsMu.Unlock()
	if !ok {
		port = "0"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, port))
	if err != nil {
		ts.Fatalf("mxserver %s: %v", name, err)
	}
	if !ok {
		_, port, _ = net.SplitHostPort(ln.Addr().String())
		mxPortsMu.Lock()
		mxPorts[ts] = port
		mxPortsMu.Unlock()
		ts.Setenv("MXPORT", port)
	}
	go srv.Serve(ln)
	ts.Defer(func() {
		srv.Close()
		mxPortsMu.Lock()
		delete(mxPorts, ts)
		mxPortsMu.Unlock()
	})
}

func appendFile(ts *testscript.TestScript, name string, b []byte) {
	f, err := os.OpenFile(ts.MkAbs(name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	ts.Check(err)
	_, err = f.Write(b)
	ts.Check(err)
	ts.Check(f.Close())
}

// stsserver NAME IP DOMAIN=POLICYFILE...: an HTTPS server on IP serving
// each POLICYFILE as DOMAIN's MTA-STS policy; $NAME_PORT is its port and
// its CA is appended to $WORK/cas.pem.
func cmdSTSServer(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 {
		ts.Fatalf("usage: stsserver NAME IP DOMAIN=POLICYFILE...")
	}
	var domains []string
	files := map[string]string{}
	for _, a := range args[2:] {
		d, f, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("stsserver: want DOMAIN=POLICYFILE, not %q", a)
		}
		domains = append(domains, d)
		files[d] = f
	}
	srv, err := ststest.Start(args[1], domains...)
	ts.Check(err)
	for d, f := range files {
		srv.Set(d, ststest.Response{Body: ts.ReadFile(f)})
	}
	appendFile(ts, "cas.pem", srv.CA.CAPEM)
	ts.Setenv(args[0]+"_PORT", srv.Port)
	ts.Defer(func() { srv.Close() })
}

// dkimverify DNSADDR FILE: Debian's dkimpy verifies every DKIM signature
// of FILE with keys from the DNS server at DNSADDR. Scripts guard it with
// the [dkimpy] condition.
func cmdDKIMVerify(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: dkimverify DNSADDR FILE")
	}
	script, err := dkimtest.Script(ts.MkAbs("."))
	ts.Check(err)
	cmd := exec.Command(dkimtest.Python, script, args[0])
	f, err := os.Open(ts.MkAbs(args[1]))
	ts.Check(err)
	defer f.Close()
	cmd.Stdin = f
	out, err := cmd.CombinedOutput()
	ts.Logf("%s", out)
	if (err == nil) == neg {
		ts.Fatalf("dkimverify: %s%v", out, err)
	}
	fmt.Fprint(ts.Stdout(), string(out))
}

// condDKIMPy is the [dkimpy] condition: the independent verifier is
// installed. Under CI=true its absence is an error, never a skip.
func condDKIMPy() (bool, error) {
	why := dkimtest.Available()
	if why != "" && os.Getenv("CI") == "true" {
		return false, fmt.Errorf("%s", why)
	}
	return why == "", nil
}
