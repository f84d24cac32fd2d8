package realmail_test

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// servers reads the facts up.sh wrote. Outside CI a missing file skips
// the test with instructions; with CI=true it fails: CI must run these.
func servers(t *testing.T) map[string]string {
	t.Helper()
	path := os.Getenv("REALMAIL_ENV")
	if path == "" {
		path = "/tmp/postie-realmail/env"
	}
	f, err := os.Open(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("real mail servers are not up (%v); .ci/run must start them with test/realmail/up.sh", err)
		}
		t.Skipf("real mail servers not running (%v): start them with 'bash test/realmail/install.sh && bash test/realmail/up.sh'", err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok {
			env[k] = strings.Trim(v, `"`)
		}
	}
	return env
}
