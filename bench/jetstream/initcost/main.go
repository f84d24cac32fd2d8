// Command initcost is a program that only imports a package, so that
// GODEBUG=inittrace=1 shows what importing it costs every process at
// start (bench/RESULTS.md, "The outbox on a NATS cluster"):
//
//	go build -o /tmp/initcost ./bench/jetstream/initcost && GODEBUG=inittrace=1 /tmp/initcost
package main

import (
	_ "github.com/postie/postie/outbox/jetstream"
	_ "github.com/postie/postie/outbox/metrics"
)

func main() {}
