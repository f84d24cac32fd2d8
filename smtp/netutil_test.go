package smtp_test

import (
	"bufio"
	"net"
	"strings"
)

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }
