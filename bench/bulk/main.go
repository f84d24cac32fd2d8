// Command bulk sends N small messages over one connection with postie's
// engine, for the whole-process comparison with Postfix's smtp-source in
// bench/run.sh. It is a measuring tool, not part of postie.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/postie/postie/smtp"
)

func main() {
	addr := flag.String("server", "127.0.0.1:2625", "server")
	n := flag.Int("n", 1000, "messages")
	size := flag.Int("size", 512, "body bytes")
	nopipe := flag.Bool("no-pipelining", false, "disable PIPELINING")
	one := flag.Bool("one-by-one", false, "Send each message separately instead of SendAll")
	flag.Parse()
	body := []byte("From: a@x.test\r\nTo: b@x.test\r\nSubject: bulk\r\n\r\n")
	for len(body) < *size {
		body = append(body, "I love computer networks!\r\n"...)
	}
	ctx := context.Background()
	start := time.Now()
	c, err := smtp.Dial(ctx, *addr, &smtp.Options{TLS: smtp.TLSNone, DisablePipelining: *nopipe})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	env := &smtp.Envelope{From: "a@x.test", To: []string{"b@x.test"}}
	if *one {
		for i := 0; i < *n; i++ {
			if _, err := c.Send(ctx, env, smtp.BytesBody(body)); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
	} else {
		jobs := make([]smtp.Job, *n)
		for i := range jobs {
			jobs[i] = smtp.Job{Env: env, Body: smtp.BytesBody(body)}
		}
		_, errs := c.SendAll(ctx, jobs)
		for _, err := range errs {
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
	}
	c.Quit(ctx)
	el := time.Since(start)
	fmt.Printf("%d messages in %v: %.0f messages/s\n", *n, el.Round(time.Millisecond), float64(*n)/el.Seconds())
}
