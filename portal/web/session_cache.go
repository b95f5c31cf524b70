package web

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// sessionTopic carries session revocations between nodes.
const sessionTopic = "sessions"

// sessionCache keeps recently used sessions with their users for a few
// seconds, so that a signed-in page costs no session queries. Any change
// that must take effect at once (sign-out, password change, disabled
// account, profile edit) evicts the entries here and on every node through
// the bus; the TTL bounds staleness should a bus message be lost.
type sessionCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedSession
	max int
}

type cachedSession struct {
	sess    *portal.Session
	user    *portal.User
	expires time.Time
}

type revocation struct {
	SessionID string `json:"session_id,omitempty"`
	UserID    int64  `json:"user_id,omitempty"`
}

func newSessionCache(ttl time.Duration) *sessionCache {
	return &sessionCache{ttl: ttl, m: map[string]cachedSession{}, max: 100_000}
}

func (c *sessionCache) get(id string, now time.Time) (*portal.Session, *portal.User, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || now.After(e.expires) || !now.Before(e.sess.ExpiresAt) {
		return nil, nil, false
	}
	return e.sess, e.user, true
}

func (c *sessionCache) put(s *portal.Session, u *portal.User, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k, e := range c.m { // drop expired entries, or everything when all are live
			if now.After(e.expires) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= c.max {
			c.m = map[string]cachedSession{}
		}
	}
	c.m[s.ID] = cachedSession{sess: s, user: u, expires: now.Add(c.ttl)}
}

func (c *sessionCache) evict(r revocation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.SessionID != "" {
		delete(c.m, r.SessionID)
	}
	if r.UserID != 0 {
		for k, e := range c.m {
			if e.user.ID == r.UserID {
				delete(c.m, k)
			}
		}
	}
}

// revoke evicts locally and tells the other nodes.
func (s *Server) revoke(ctx context.Context, r revocation) {
	s.sessions.evict(r)
	b, _ := json.Marshal(r)
	if err := s.bus.Publish(ctx, sessionTopic, b); err != nil {
		s.log.Warn("publish session revocation", "err", err)
	}
}

// followRevocations applies revocations from other nodes until ctx ends.
// The caller subscribes (synchronously, so that no revocation published
// after New returns is missed).
func (s *Server) followRevocations(ctx context.Context, ch <-chan portal.BusMessage, cancel func()) {
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-ch:
			var r revocation
			if json.Unmarshal(m.Payload, &r) == nil {
				s.sessions.evict(r)
				// Open chat sockets (this node's publishes arrive here too).
				if s.chat != nil {
					s.chat.revoked(r)
				}
			}
		}
	}
}
