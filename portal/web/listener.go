package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
)

// connGuard keeps one client from taking the server down by connections:
// accept errors such as "too many open files" are waited out instead of
// ending the server (fasthttp treats them as fatal), connections per IP are
// capped, and long-lived sockets (chat, event streams) may only fill the
// descriptors up to a reserve, which is left for short requests: the
// health check, sign-in and agents.
type connGuard struct {
	log *slog.Logger
	// maxPerIP caps connections from one address; <= 0 means no cap.
	maxPerIP int
	// trusted reports addresses exempt from the per-IP cap (the proxies
	// in front, through which everyone connects).
	trusted func(netip.Addr) bool
	// longLived caps open connections before long-lived sockets are
	// refused: the descriptor limit less the reserve; <= 0 means no cap.
	longLived int64

	open  atomic.Int64
	mu    sync.Mutex
	perIP map[netip.Addr]int
	// lastLog limits the accept-error and per-IP logs to one a minute.
	lastLog atomic.Int64
}

// crowded reports whether so many connections are open that a new
// long-lived socket would eat into the descriptors kept for short requests.
func (g *connGuard) crowded() bool {
	return g != nil && g.longLived > 0 && g.open.Load() >= g.longLived
}

// guardedListener is the listener fiber serves from.
type guardedListener struct {
	net.Listener
	g *connGuard
	// sleep waits between accept retries (tests shorten it).
	sleep func(time.Duration)
}

// maxAcceptDelay is the longest wait between accept retries (as net/http).
const maxAcceptDelay = time.Second

// Accept returns the next connection within the caps. Temporary errors
// (out of descriptors or buffers, a connection aborted before it was
// accepted) are retried with a growing delay, as net/http does, so that
// closing connections free descriptors and the server goes on.
func (l *guardedListener) Accept() (net.Conn, error) {
	var delay time.Duration
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if !temporaryAcceptError(err) {
				return nil, err
			}
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay *= 2; delay > maxAcceptDelay {
				delay = maxAcceptDelay
			}
			l.g.logOnce("accept failed; retrying", "err", err, "retry_in_ms", delay.Milliseconds())
			l.sleep(delay)
			continue
		}
		delay = 0
		gc, ok := l.g.admit(c)
		if !ok {
			continue
		}
		return gc, nil
	}
}

// temporaryAcceptError reports accept errors worth retrying.
func temporaryAcceptError(err error) bool {
	if errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) {
		return false
	}
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EINTR, syscall.EAGAIN} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (g *connGuard) logOnce(msg string, args ...any) {
	now := time.Now().UnixNano()
	last := g.lastLog.Load()
	if now-last < int64(time.Minute) || !g.lastLog.CompareAndSwap(last, now) {
		return
	}
	g.log.Warn(msg, args...)
}

// tooManyConns answers a connection over the per-IP cap.
const tooManyConns = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 10\r\nConnection: close\r\nContent-Length: 45\r\n\r\nToo many connections from your address. Wait.\n"

// admit counts c against the caps, or answers 429 and closes it.
func (g *connGuard) admit(c net.Conn) (net.Conn, bool) {
	var ip netip.Addr
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		ip = ta.AddrPort().Addr().Unmap()
	}
	counted := g.maxPerIP > 0 && ip.IsValid() && (g.trusted == nil || !g.trusted(ip))
	if counted {
		g.mu.Lock()
		if g.perIP[ip] >= g.maxPerIP {
			g.mu.Unlock()
			g.logOnce("connections from one address over the cap; refusing", "ip", ip.String(), "max_conns_per_ip", g.maxPerIP)
			c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
			io.WriteString(c, tooManyConns)
			c.Close()
			return nil, false
		}
		g.perIP[ip]++
		g.mu.Unlock()
	}
	g.open.Add(1)
	return &guardedConn{Conn: c, g: g, ip: ip, counted: counted}, true
}

func (g *connGuard) release(ip netip.Addr, counted bool) {
	g.open.Add(-1)
	if !counted {
		return
	}
	g.mu.Lock()
	if g.perIP[ip]--; g.perIP[ip] <= 0 {
		delete(g.perIP, ip)
	}
	g.mu.Unlock()
}

// guardedConn gives its place back when closed (once).
type guardedConn struct {
	net.Conn
	g       *connGuard
	ip      netip.Addr
	counted bool
	once    sync.Once
}

func (c *guardedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.g.release(c.ip, c.counted) })
	return err
}

// unwrapConn returns the connection under the guard's wrapper.
func unwrapConn(c net.Conn) net.Conn {
	if gc, ok := c.(*guardedConn); ok {
		return gc.Conn
	}
	return c
}

// newConnGuard sizes the guard from the config and the open-file limit.
func newConnGuard(cfg Config) *connGuard {
	g := &connGuard{log: cfg.Logger, maxPerIP: cfg.MaxConnsPerIP, perIP: map[netip.Addr]int{}}
	if len(cfg.TrustedProxies) > 0 {
		g.trusted = func(a netip.Addr) bool {
			for _, p := range cfg.TrustedProxies {
				if p.Contains(a) {
					return true
				}
			}
			return false
		}
	}
	if limit := openFileLimit(); limit > 0 && cfg.FDReserve >= 0 {
		reserve := int64(cfg.FDReserve)
		if reserve == 0 {
			reserve = max(64, limit/8)
		}
		// Descriptors already open (the store, the search index) are
		// not free for connections either.
		g.longLived = limit - reserve - openFiles()
		if g.longLived < 1 {
			g.longLived = 1
		}
	}
	return g
}

// shedIdle closes connections after each answer while crowded, so idle
// keep-alive connections do not hold the descriptors kept in reserve.
func (s *Server) shedIdle(c *fiber.Ctx) error {
	if s.guard.crowded() {
		c.Context().SetConnectionClose()
	}
	return c.Next()
}

// Request budgets: a request's context ends at its deadline (and, for the
// configurator's solver, when the server stops), so long work gives up
// instead of holding a core after the browser has left or holding up a
// shutdown.
const requestBudget = 30 * time.Second

func (s *Server) requestContext(c *fiber.Ctx) error {
	p := c.Path()
	solver := strings.HasPrefix(p, "/api/v1/configurator/") || strings.HasPrefix(p, "/configure") || strings.HasPrefix(p, "/editor/catalog")
	budget := requestBudget
	if solver {
		budget = s.cfg.ConfiguratorBudget
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), budget)
	defer cancel()
	if solver {
		// Only the solver's work ends with the server: other requests
		// in flight at shutdown finish (App.Shutdown waits for them).
		stop := context.AfterFunc(s.stopCtx, cancel)
		defer stop()
	}
	c.SetUserContext(ctx)
	return c.Next()
}
