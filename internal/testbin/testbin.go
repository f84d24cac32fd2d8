// Package testbin builds the postie binary once per test process, for
// black-box tests that run it as a user would, and removes it when the
// tests end. A package that uses Postie runs its tests through M:
//
//	func TestMain(m *testing.M) { os.Exit(testbin.M(m).Run()) }
//	func TestMain(m *testing.M) { testscript.Main(testbin.M(m), commands) }
package testbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	mu    sync.Mutex
	wired bool
	dir   string
	path  string
	err   error
	out   []byte
)

// TestingM is what runs a package's tests (*testing.M).
type TestingM interface{ Run() int }

// M wraps m so that running the tests removes the binary afterwards:
// no test run leaves an 11 MB file in $TMPDIR.
func M(m TestingM) TestingM { return cleanupM{m} }

type cleanupM struct{ m TestingM }

func (c cleanupM) Run() int {
	mu.Lock()
	wired = true
	mu.Unlock()
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		if dir != "" {
			os.RemoveAll(dir)
		}
	}()
	return c.m.Run()
}

// Postie returns the path of a freshly built cmd/postie, built as the
// README builds it (CGO_ENABLED=0: one static binary).
func Postie(t testing.TB) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if !wired {
		t.Fatal("testbin: run the tests through testbin.M in TestMain, so the binary is removed after them")
	}
	if path == "" && err == nil {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		if dir, err = os.MkdirTemp("", "postie-bin-"); err != nil {
			t.Fatalf("testbin: %v", err)
		}
		p := filepath.Join(dir, "postie")
		cmd := exec.Command("go", "build", "-o", p, "./cmd/postie")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err = cmd.CombinedOutput(); err == nil {
			path = p
		}
	}
	if err != nil {
		t.Fatalf("building postie: %v\n%s", err, out)
	}
	return path
}
