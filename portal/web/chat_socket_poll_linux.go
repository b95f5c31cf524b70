//go:build linux

package web

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// poller waits for many chat sockets at once with one epoll instance, so
// that an idle socket needs no goroutine: when one becomes readable, the
// poller calls ready for it. Sockets are registered one-shot and
// level-triggered: after ready, nothing more is reported for that socket
// until rearm, and bytes left unread then are reported again at once.
//
// Events carry an id, never a file descriptor or a pointer: a descriptor
// may be reused by a new connection as soon as the old one is closed, and
// an event already taken from the kernel may arrive after its socket left.
type poller struct {
	ready func(*socket)

	mu     sync.Mutex // guards everything below, and epfd against close
	epfd   int
	wake   int // eventfd: wakes the loop to stop it
	socks  map[uint64]*socket
	next   uint64
	closed bool
}

// pollEvents: readable, or the peer hung up (a read then ends the socket).
const pollEvents = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT

// wakeID is the eventfd's id; sockets' ids start at 1.
const wakeID = 0

func newPoller(ready func(*socket)) (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("chat poller: epoll: %w", err)
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("chat poller: eventfd: %w", err)
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wake, &unix.EpollEvent{Events: unix.EPOLLIN}); err != nil {
		unix.Close(wake)
		unix.Close(epfd)
		return nil, fmt.Errorf("chat poller: watch eventfd: %w", err)
	}
	p := &poller{ready: ready, epfd: epfd, wake: wake, socks: map[uint64]*socket{}}
	go p.loop()
	return p, nil
}

var errPollerClosed = errors.New("chat poller closed")

// add registers sk, whose connection is rc; ready may run for it at once.
func (p *poller) add(sk *socket, rc syscall.RawConn) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errPollerClosed
	}
	p.next++
	id := p.next
	if err := p.ctl(unix.EPOLL_CTL_ADD, rc, id); err != nil {
		return err
	}
	sk.pollID, sk.rc = id, rc
	p.socks[id] = sk
	return nil
}

// rearm reports sk again when it is readable. A socket removed meanwhile
// stays removed.
func (p *poller) rearm(sk *socket) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.socks[sk.pollID] != sk {
		return
	}
	if err := p.ctl(unix.EPOLL_CTL_MOD, sk.rc, sk.pollID); err != nil {
		// The connection is closing; its close removes it.
		return
	}
}

// remove stops watching sk. It must run before sk's connection closes.
func (p *poller) remove(sk *socket) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.socks[sk.pollID] != sk {
		return
	}
	delete(p.socks, sk.pollID)
	if !p.closed {
		_ = p.ctl(unix.EPOLL_CTL_DEL, sk.rc, sk.pollID)
	}
}

// ctl changes the watch of rc's descriptor. Control holds the descriptor
// open meanwhile, so it cannot be closed and reused under us.
func (p *poller) ctl(op int, rc syscall.RawConn, id uint64) error {
	var err error
	cerr := rc.Control(func(fd uintptr) {
		ev := unix.EpollEvent{Events: pollEvents, Fd: int32(uint32(id)), Pad: int32(uint32(id >> 32))}
		err = unix.EpollCtl(p.epfd, op, int(fd), &ev)
	})
	if cerr != nil {
		return cerr
	}
	return err
}

// close stops the loop; sockets still registered are forgotten (their own
// close closes their connections).
func (p *poller) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	var one [8]byte
	binary.NativeEndian.PutUint64(one[:], 1)
	_, _ = unix.Write(p.wake, one[:])
}

func (p *poller) loop() {
	events := make([]unix.EpollEvent, 256)
	ready := make([]*socket, 0, len(events))
	for {
		n, err := unix.EpollWait(p.epfd, events, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		p.mu.Lock()
		if p.closed || err != nil {
			// On an error other than EINTR (none is expected), the sockets
			// would hang unread: close them and let clients reconnect.
			left := p.socks
			p.socks = map[uint64]*socket{}
			p.closed = true
			unix.Close(p.epfd)
			unix.Close(p.wake)
			p.mu.Unlock()
			for _, sk := range left {
				sk.close()
			}
			return
		}
		ready = ready[:0]
		for _, ev := range events[:n] {
			id := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
			if sk := p.socks[id]; sk != nil && id != wakeID {
				ready = append(ready, sk)
			}
		}
		p.mu.Unlock()
		for i, sk := range ready {
			p.ready(sk)
			ready[i] = nil
		}
	}
}
