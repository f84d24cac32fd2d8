package main_test

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/postie/postie/internal/testbin"
)

// --version says what the Go toolchain recorded in the binary: its
// module version and, when built in a git checkout, the commit.
func TestVersionFromBuildInfo(t *testing.T) {
	bin := testbin.Postie(t)
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	info, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"postie ", "go1."}
	for _, line := range strings.Split(string(info), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[0] == "mod":
			want = append(want, f[2]) // the module version, "(devel)" when untagged
		case len(f) == 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision="):
			want = append(want, strings.TrimPrefix(f[1], "vcs.revision=")[:12])
		}
	}
	if len(want) < 3 {
		t.Fatalf("no module line in go version -m:\n%s", info)
	}
	for _, w := range want {
		if !strings.Contains(string(out), w) {
			t.Fatalf("--version says %q; the build info has %q", out, w)
		}
	}
}

// Ctrl-C while the server keeps postie waiting: "interrupted", exit 130,
// at once (not after a time-out).
func TestInterruptSaysInterrupted(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c // and never greet
		}
	}()
	cmd := exec.Command(testbin.Postie(t), "send", "--server", ln.Addr().String(), "--tls", "none", "--from", "a@x.test", "--to", "b@x.test", "--text", "hi")
	cmd.Env = append(os.Environ(), "POSTIE_CONFIG="+filepath.Join(t.TempDir(), "none.toml"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-accepted:
		defer c.Close()
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("postie did not connect")
	}
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130; stderr:\n%s", err, stderr.String())
	}
	if got := stderr.String(); got != "postie: error: interrupted\n" {
		t.Fatalf("stderr %q", got)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %v to stop after Ctrl-C", d)
	}
}

// A body over 64 MiB on standard input or in a file is refused (65) with
// its size, never cut; nothing is sent.
func TestBigBodyRefusedNotCut(t *testing.T) {
	ln, conns := countingListener(t)
	big := filepath.Join(t.TempDir(), "big.txt")
	f, _ := os.Create(big)
	f.Truncate(65 << 20)
	f.Close()
	for _, c := range []struct {
		args  []string
		stdin bool
		want  string
	}{
		{[]string{"--text-file", "-"}, true, "--text-file: the body on standard input is over 64 MiB"},
		{nil, true, "stdin: the body on standard input is over 64 MiB"},
		{[]string{"--html-file", big}, false, "--html-file " + big + ": 68157440 bytes, over the 64 MiB"},
	} {
		args := append([]string{"send", "--server", ln.Addr().String(), "--tls", "none", "--from", "a@x.test", "--to", "b@x.test"}, c.args...)
		cmd := exec.Command(testbin.Postie(t), args...)
		cmd.Env = append(os.Environ(), "POSTIE_CONFIG="+filepath.Join(t.TempDir(), "none.toml"))
		if c.stdin {
			cmd.Stdin = io.LimitReader(zeros{}, 65<<20)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 65 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: %v, stderr:\n%s", c.args, err, stderr.String())
		}
	}
	if conns.Load() != 0 {
		t.Fatalf("postie connected %d times", conns.Load())
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// countingListener stands where a server would be and counts the
// connections made to it (each is closed at once).
func countingListener(t *testing.T) (net.Listener, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	return ln, &conns
}

// --tls none with a password is refused before postie connects at all.
// It needs no mail server, so it runs everywhere (it used to be among the
// real-server tests and was skipped when they were down).
func TestNoCredentialsInClear(t *testing.T) {
	ln, conns := countingListener(t)
	pw := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(pw, []byte("secret-alice\n"), 0o600)
	cmd := exec.Command(testbin.Postie(t), "send", "--server", ln.Addr().String(), "--tls", "none",
		"--user", "alice@mail.test", "--password-file", pw, "--from", "alice@mail.test", "--to", "bob@mail.test", "--text", "x", "-v")
	cmd.Env = append(os.Environ(), "POSTIE_CONFIG="+filepath.Join(t.TempDir(), "none.toml"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 69 || strings.Contains(stderr.String(), "C: AUTH") || strings.Contains(stderr.String(), "connecting") || conns.Load() != 0 {
		t.Fatalf("%v, %d connections, stderr:\n%s", err, conns.Load(), stderr.String())
	}
	// The engine's own refusal (allow-insecure off) is smtp.TestNoCredentialsInClear.
}
