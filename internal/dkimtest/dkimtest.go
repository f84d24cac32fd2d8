// Package dkimtest runs an independent DKIM verifier for tests: Debian's
// dkimpy (python3-dkim, installed by test/realmail/install.sh), asking the
// test DNS server for the public keys.
package dkimtest

import (
	"bytes"
	_ "embed"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

//go:embed verify.py
var script []byte

// Python is the interpreter that has Debian's dkim module.
const Python = "/usr/bin/python3"

// Available says why the verifier cannot run, or "" when it can.
func Available() string {
	if err := exec.Command(Python, "-c", "import dkim, dns.resolver, nacl").Run(); err != nil {
		return "python3-dkim is not installed (apt-get install python3-dkim): " + err.Error()
	}
	return ""
}

// Require skips the test when the verifier is missing, except under
// CI=true where a missing verifier is a failure.
func Require(t testing.TB) {
	t.Helper()
	if why := Available(); why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
}

// Script writes the verifier to dir and returns its path.
func Script(dir string) (string, error) {
	p := filepath.Join(dir, "dkimverify.py")
	return p, os.WriteFile(p, script, 0o755)
}

// Verify checks every signature of msg against keys served by the DNS
// server at dnsAddr. It returns the verifier's report and whether all
// signatures (at least one) passed.
func Verify(t testing.TB, dnsAddr string, msg []byte) (string, bool) {
	t.Helper()
	p, err := Script(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(Python, p, dnsAddr)
	cmd.Stdin = bytes.NewReader(msg)
	out, err := cmd.CombinedOutput()
	if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		t.Fatalf("dkimverify: %v", err)
	}
	return string(out), err == nil
}
