package main

import (
	"net"
	"sync"
	"sync/atomic"
)

// countingProxy forwards TCP connections to upstream and counts round
// trips: each time a client sends after having received (or sends first),
// that is one request-response exchange with the server, however many
// protocol messages it pipelines.
type countingProxy struct {
	ln       net.Listener
	upstream string
	trips    atomic.Int64
	conns    atomic.Int64
	wg       sync.WaitGroup
}

func newCountingProxy(upstream string) (*countingProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &countingProxy{ln: ln, upstream: upstream}
	go p.serve()
	return p, nil
}

func (p *countingProxy) addr() string { return p.ln.Addr().String() }

func (p *countingProxy) close() { p.ln.Close() }

func (p *countingProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.conns.Add(1)
		go p.handle(c)
	}
}

func (p *countingProxy) handle(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.upstream)
	if err != nil {
		return
	}
	defer server.Close()
	// answered is set when the server has sent since the client last did.
	var answered atomic.Bool
	answered.Store(true)
	done := make(chan struct{}, 2)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := client.Read(buf)
			if n > 0 {
				if answered.Swap(false) {
					p.trips.Add(1)
				}
				if _, werr := server.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		done <- struct{}{}
	}()
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 {
				answered.Store(true)
				if _, werr := client.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		done <- struct{}{}
	}()
	<-done
	client.Close()
	server.Close()
	<-done
}
