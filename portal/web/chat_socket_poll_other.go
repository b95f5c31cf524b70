//go:build !linux

package web

import (
	"errors"
	"syscall"
)

// poller is Linux-only (epoll); elsewhere every chat socket keeps a
// goroutine blocked reading its next frame.
type poller struct{}

var errPollerClosed = errors.New("chat poller: not available on this system")

func newPoller(func(*socket)) (*poller, error)       { return nil, errPollerClosed }
func (p *poller) add(*socket, syscall.RawConn) error { return errPollerClosed }
func (p *poller) rearm(*socket)                      {}
func (p *poller) remove(*socket)                     {}
func (p *poller) close()                             {}
