// Command delayproxy forwards TCP connections and delivers every chunk
// of data a fixed time after it arrived, in each direction: a network
// with that one-way latency (25 ms each way is a 50 ms round trip: a
// provider on another continent, or a mobile link). Chunks are queued, not
// slept on one after another, so a burst costs the latency once, as on a
// real link. A measuring tool for bench/rtt.sh, not part of postie.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	to := flag.String("to", "", "address to forward to")
	delay := flag.Duration("delay", 25*time.Millisecond, "one-way delay")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr()) // the harness reads the port from here
	for {
		in, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go proxy(in, *to, *delay)
	}
}

func proxy(in net.Conn, to string, delay time.Duration) {
	out, err := net.Dial("tcp", to)
	if err != nil {
		in.Close()
		return
	}
	go pipe(out, in, delay)
	pipe(in, out, delay)
}

type chunk struct {
	at   time.Time
	data []byte
	err  error
}

// pipe copies src to dst, each chunk delay after it was read.
func pipe(dst, src net.Conn, delay time.Duration) {
	q := make(chan chunk, 4096)
	go func() {
		for {
			buf := make([]byte, 32*1024)
			n, err := src.Read(buf)
			q <- chunk{time.Now().Add(delay), buf[:n], err}
			if err != nil {
				return
			}
		}
	}()
	for c := range q {
		time.Sleep(time.Until(c.at))
		if len(c.data) > 0 {
			if _, err := dst.Write(c.data); err != nil {
				break
			}
		}
		if c.err != nil {
			if c.err == io.EOF {
				if tc, ok := dst.(*net.TCPConn); ok {
					tc.CloseWrite()
					return
				}
			}
			break
		}
	}
	dst.Close()
	src.Close()
}
