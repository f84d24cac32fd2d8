// Command postie sends mail over SMTP. See 'postie help'.
package main

import (
	"os"

	"github.com/postie/postie/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args)) }
