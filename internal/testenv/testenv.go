// Package testenv reads the facts a start script wrote about the shared
// servers tests run against (test/realmail/up.sh, test/nats/up.sh):
// KEY=value lines in a file an environment variable names.
package testenv

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// Env reads KEY=value lines from the file $envVar names (default def).
// Outside CI a missing file skips the test saying how to start the
// servers (start); with CI=true it fails, since CI must run these tests.
func Env(t testing.TB, envVar, def, what, start string) map[string]string {
	t.Helper()
	path := os.Getenv(envVar)
	if path == "" {
		path = def
	}
	f, err := os.Open(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not up (%v); .ci/run must start it with %s", what, err, start)
		}
		t.Skipf("%s is not running (%v): start it with '%s'", what, err, start)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = strings.Trim(v, `"`)
		}
	}
	return env
}

// NATSCluster reads the facts of the 3-node NATS JetStream test cluster
// (test/nats/up.sh) from $NATS_ENV (default /tmp/postie-nats/env).
func NATSCluster(t testing.TB) map[string]string {
	t.Helper()
	return Env(t, "NATS_ENV", "/tmp/postie-nats/env", "the NATS test cluster", "bash test/nats/up.sh")
}
