// Command gomail sends one small message with wneessen/go-mail, one of
// the peers of bench/rtt.sh. It lives in a module of its own so postie's
// go.mod does not depend on it. Not part of postie.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/wneessen/go-mail"
)

func main() {
	host := flag.String("host", "127.0.0.1", "server host")
	port := flag.Int("port", 2625, "server port")
	flag.Parse()
	m := mail.NewMsg()
	err := m.From("a@x.test")
	if err == nil {
		err = m.To("b@x.test")
	}
	m.Subject("bench")
	m.SetBodyString(mail.TypeTextPlain, "I love computer networks!")
	var c *mail.Client
	if err == nil {
		c, err = mail.NewClient(*host, mail.WithPort(*port), mail.WithTLSPolicy(mail.NoTLS), mail.WithHELO("bench"))
	}
	if err == nil {
		err = c.DialAndSendWithContext(context.Background(), m)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gomail:", strconv.Quote(err.Error()))
		os.Exit(1)
	}
}
