package realmail_test

import (
	"testing"

	"github.com/postie/postie/internal/testenv"
)

// servers reads the facts up.sh wrote. Outside CI a missing file skips
// the test with instructions; with CI=true it fails: CI must run these.
func servers(t *testing.T) map[string]string {
	t.Helper()
	return testenv.Env(t, "REALMAIL_ENV", "/tmp/postie-realmail/env", "the real mail servers",
		"bash test/realmail/install.sh && bash test/realmail/up.sh")
}
