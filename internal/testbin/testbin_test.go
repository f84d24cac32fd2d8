package testbin

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"testing"
)

// M removes what Postie built: a test run leaves nothing in $TMPDIR.
func TestRunRemovesTheBinary(t *testing.T) {
	var p string
	M(runFunc(func() int {
		p = Postie(t)
		if out, err := exec.Command(p, "--help").CombinedOutput(); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return 0
	})).Run()
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s is still there after Run (%v)", p, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s is still there after Run (%v)", dir, err)
	}
}

type runFunc func() int

func (f runFunc) Run() int { return f() }
