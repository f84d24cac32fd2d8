// Command netsmtp sends the message on stdin with Go's net/smtp, the
// standard library's client, one command per round trip: the baseline for
// bench/rtt.sh and the start-up comparison. Not part of postie.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/smtp"
	"os"
)

func main() {
	addr := flag.String("server", "127.0.0.1:2625", "server")
	from := flag.String("from", "a@x.test", "sender")
	to := flag.String("to", "b@x.test", "recipient")
	flag.Parse()
	msg, err := io.ReadAll(os.Stdin)
	if err == nil {
		err = send(*addr, *from, *to, msg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "netsmtp:", err)
		os.Exit(1)
	}
}

func send(addr, from, to string, msg []byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
