package ratelimit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/socialmediamanager/smm/persistence/redisdb"
)

func redisURL() string {
	if u := os.Getenv("SMM_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379"
}

// redisOptions are the production options of database 2, optionally pointed
// at another address (a dead port, a proxy).
func redisOptions(t *testing.T, addr string) *redis.Options {
	t.Helper()
	opt, err := redisdb.Options(redisURL(), redisdb.DBRateLimits)
	if err != nil {
		t.Fatal(err)
	}
	if addr != "" {
		opt.Addr = addr
	}
	return opt
}

// newRedis returns a client on the real database 2; the test fails when
// Redis does not answer (make test starts it). Keys written under the test's
// limit names are deleted at the end; the database is never flushed.
func newRedis(t *testing.T) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(redisOptions(t, ""))
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("got %v, want Redis reachable at %s (run make test, which starts it)", err, redisURL())
	}
	return rdb
}

// uniqueName is a limit name no other test run uses, so runs sharing one
// Redis never see each other's state. Its keys are removed after the test.
func uniqueName(t *testing.T, rdb *redis.Client) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := "test-" + hex.EncodeToString(b)
	if rdb != nil {
		t.Cleanup(func() {
			ctx := context.Background()
			it := rdb.Scan(ctx, 0, "rate:"+keyPrefix+name+":*", 100).Iterator()
			for it.Next(ctx) {
				rdb.Del(ctx, it.Val())
			}
		})
	}
	return name
}

// deadAddr is a local address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// logBuffer collects log records for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) count(substr string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), substr)
}

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// tcpProxy forwards connections to Redis and can be closed (every listener
// and connection dropped, as when Redis dies) and reopened on the same port.
type tcpProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(func() { p.close(); p.wg.Wait() })
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.DialTimeout("tcp", p.target, time.Second)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[up] = true, true
			p.mu.Unlock()
			p.wg.Add(2)
			go func() { defer p.wg.Done(); io.Copy(up, c); up.Close(); c.Close() }()
			go func() { defer p.wg.Done(); io.Copy(c, up); up.Close(); c.Close() }()
		}
	}()
}

func (p *tcpProxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *tcpProxy) reopen() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("reopen proxy on %s: %v", p.addr, err)
	}
	p.serve(ln)
}
