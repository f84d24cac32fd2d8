// Package testbin builds the postie binary once per test process, for
// black-box tests that run it as a user would.
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
	once sync.Once
	path string
	err  error
	out  []byte
)

// Postie returns the path of a freshly built cmd/postie.
func Postie(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		dir, e := os.MkdirTemp("", "postie-bin-")
		if e != nil {
			err = e
			return
		}
		path = filepath.Join(dir, "postie")
		cmd := exec.Command("go", "build", "-o", path, "./cmd/postie")
		cmd.Dir = root
		out, err = cmd.CombinedOutput()
	})
	if err != nil {
		t.Fatalf("building postie: %v\n%s", err, out)
	}
	return path
}
