package realmail_test

import (
	"os"
	"testing"

	"github.com/postie/postie/internal/testbin"
)

func TestMain(m *testing.M) { os.Exit(testbin.M(m).Run()) }
