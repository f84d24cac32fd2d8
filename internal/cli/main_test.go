package cli_test

import (
	"os"
	"testing"

	"github.com/postie/postie/internal/testbin"
)

// TestMain removes the postie binary testbin builds once the tests end.
func TestMain(m *testing.M) { os.Exit(testbin.M(m).Run()) }
