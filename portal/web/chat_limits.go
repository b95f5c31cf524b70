package web

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/bot"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// socketCounts counts open chat sockets per visitor, per signed-in
// session and per client address, so that one guest cannot hold
// thousands of sockets (each a descriptor) and starve everyone else.
type socketCounts struct {
	mu sync.Mutex
	n  map[string]int
}

// socketKeys are what a customer socket counts against, each with its cap.
type socketKey struct {
	key string
	max int
}

func (h *chatHub) socketKeys(c *fiber.Ctx, p socketParticipant) []socketKey {
	cfg := h.s.cfg
	var keys []socketKey
	if p.visitor != "" {
		keys = append(keys, socketKey{"v:" + p.visitor, cfg.ChatSocketsPerVisitor})
	}
	if sess := currentSession(c); sess != nil {
		keys = append(keys, socketKey{"s:" + sess.ID, cfg.ChatSocketsPerVisitor})
	}
	keys = append(keys, socketKey{"ip:" + c.IP(), cfg.ChatSocketsPerIP})
	return keys
}

type socketParticipant struct{ visitor string }

// admitSocket takes a place for a new customer socket, or refuses it:
// 429 when the visitor, session or address has as many as allowed, 503
// when so many connections are open that the descriptors left are kept
// for short requests. The release func gives the place back.
func (h *chatHub) admitSocket(c *fiber.Ctx, visitor string) (release func(), err error) {
	if h.s.guard.crowded() {
		return nil, &retryAfterError{err: portal.Errorf(portal.EUNAVAILABLE, "The chat is very busy. Try again in a minute."), seconds: 30}
	}
	keys := h.socketKeys(c, socketParticipant{visitor: visitor})
	cs := &h.counts
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.n == nil {
		cs.n = map[string]int{}
	}
	for _, k := range keys {
		if k.max > 0 && cs.n[k.key] >= k.max {
			return nil, &retryAfterError{err: portal.Errorf(portal.ETOOMANY, "Too many chat windows are open. Close one and try again."), seconds: 10}
		}
	}
	for _, k := range keys {
		cs.n[k.key]++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			cs.mu.Lock()
			defer cs.mu.Unlock()
			for _, k := range keys {
				if cs.n[k.key]--; cs.n[k.key] <= 0 {
					delete(cs.n, k.key)
				}
			}
		})
	}, nil
}

// Leave-a-message limits: each message sends an email, so a socket must
// not become a mail cannon (per visitor or customer, per address sent to,
// per client address).
const (
	leavePerSender = 3  // per visitor or customer, per hour
	leavePerIP     = 10 // per client address, per hour
	leavePerTo     = 3  // per email address written to, per day
)

// leaveMessageLimit refuses a message past the limits (bot.Protocol
// asks, once it found that nobody can take the chat).
func (h *chatHub) leaveMessageLimit(ctx context.Context, p bot.Participant, email string) error {
	to := portal.NormalizeEmail(email)
	if to == "" && p.Customer != nil {
		to = portal.NormalizeEmail(p.Customer.Email)
	}
	type lim struct {
		key    string
		max    int
		window time.Duration
	}
	lims := []lim{{"leave:ip:" + p.IP, leavePerIP, time.Hour}, {"leave:to:" + to, leavePerTo, 24 * time.Hour}}
	if p.Customer != nil {
		lims = append(lims, lim{"leave:c:" + strconv.FormatInt(p.Customer.ID, 10), leavePerSender, time.Hour})
	} else {
		lims = append(lims, lim{"leave:v:" + p.VisitorID, leavePerSender, time.Hour})
	}
	now := h.s.now()
	for _, l := range lims {
		n, end, err := h.s.store.HitRate(ctx, l.key, l.window, now)
		if err != nil {
			return err
		}
		if n > l.max {
			return portal.Errorf(portal.ETOOMANY, "You have left several messages already. We will answer them; try again in %s.", humanDuration(end.Sub(now)))
		}
	}
	return nil
}
