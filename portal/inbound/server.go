package inbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/frontdesk/frontdesk/portal"
)

// Config configures the listener. Zero fields mean the defaults.
type Config struct {
	// Address is the support address, e.g. support@shop.example. Mail is
	// accepted for it and for support+<token>@shop.example only.
	Address string
	// Intake files each message; it must return only once the message is
	// committed, because the sender is told 250 right after.
	Intake Receiver
	Limits Limits
	// MaxMessageBytes is the largest message accepted (default 25 MiB);
	// a larger one is refused with 552.
	MaxMessageBytes int64
	// MaxRecipients per message (default 20); more get 452.
	MaxRecipients int
	// Hostname is announced in the greeting (default: the support
	// address's domain).
	Hostname string
	// Timeout bounds each read and write on a connection (default 5 min,
	// RFC 5321's minimum for the DATA block) and each message's intake.
	Timeout time.Duration
	Logger  *slog.Logger
}

// Server is the SMTP listener for the support address.
type Server struct {
	cfg           Config
	local, domain string
	smtp          *smtp.Server

	mu       sync.Mutex
	closing  bool
	conns    map[*smtp.Conn]bool
	inflight sync.WaitGroup
}

// New checks the configuration and builds the server.
func New(cfg Config) (*Server, error) {
	at := strings.LastIndexByte(cfg.Address, '@')
	if at <= 0 || at == len(cfg.Address)-1 || strings.ContainsAny(cfg.Address, "+ <>") {
		return nil, fmt.Errorf("inbound: the support address must look like support@shop.example, not %q", cfg.Address)
	}
	if cfg.Intake == nil {
		return nil, errors.New("inbound: no intake")
	}
	if cfg.MaxMessageBytes == 0 {
		cfg.MaxMessageBytes = 25 << 20
	}
	if cfg.MaxRecipients == 0 {
		cfg.MaxRecipients = 20
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, conns: map[*smtp.Conn]bool{}, local: strings.ToLower(cfg.Address[:at]), domain: strings.ToLower(cfg.Address[at+1:])}
	if cfg.Hostname == "" {
		cfg.Hostname = s.domain
	}
	srv := smtp.NewServer(s)
	srv.Domain = cfg.Hostname
	srv.MaxMessageBytes = cfg.MaxMessageBytes
	srv.MaxRecipients = cfg.MaxRecipients
	srv.ReadTimeout = cfg.Timeout
	srv.WriteTimeout = cfg.Timeout
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = log.New(slogWriter{cfg.Logger}, "", 0)
	s.smtp = srv
	return s, nil
}

// Serve accepts connections on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	err := s.smtp.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Shutdown stops taking new messages, waits (up to ctx) for the ones being
// stored to be committed and answered, gives senders a moment to say QUIT,
// then closes every connection. A sender cut off before its 250 sends
// again; the Message-ID keeps that from storing the message twice.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	// The 250 is written after Data returns: let go-smtp's own shutdown
	// (listeners closed, sessions left to end) run briefly, then cut the
	// sessions still open.
	grace, cancel := context.WithTimeout(ctx, time.Second)
	serr := s.smtp.Shutdown(grace)
	cancel()
	if serr != nil && !errors.Is(serr, smtp.ErrServerClosed) && !errors.Is(serr, context.DeadlineExceeded) && !errors.Is(serr, context.Canceled) && err == nil {
		err = serr
	}
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	<-done // an intake in flight finishes on its own timeout
	return err
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil, errClosing
	}
	s.conns[c] = true
	return &session{s: s, conn: c}, nil
}

// parseRecipient reports whether to is the support address, and its token.
func (s *Server) parseRecipient(to string) (token string, ok bool) {
	at := strings.LastIndexByte(to, '@')
	if at <= 0 || !strings.EqualFold(to[at+1:], s.domain) {
		return "", false
	}
	local, token, _ := strings.Cut(to[:at], "+")
	if !strings.EqualFold(local, s.local) || len(token) > 100 {
		return "", false
	}
	return token, true
}

var (
	errNoRecipient = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such recipient here"}
	errClosing     = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Shutting down, try again later"}
	errTryLater    = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Could not store the message, try again later"}
)

type session struct {
	s     *Server
	conn  *smtp.Conn
	from  string
	to    string
	token string
}

func (ss *session) Reset() { ss.from, ss.to, ss.token = "", "", "" }

func (ss *session) Logout() error {
	ss.s.mu.Lock()
	delete(ss.s.conns, ss.conn)
	ss.s.mu.Unlock()
	return nil
}

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	ss.Reset()
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, opts *smtp.RcptOptions) error {
	token, ok := ss.s.parseRecipient(to)
	if !ok {
		return errNoRecipient
	}
	if ss.to == "" || (ss.token == "" && token != "") {
		ss.to, ss.token = portal.NormalizeEmail(to), token
	}
	return nil
}

// Data reads, parses and stores the message; it returns (and the sender
// gets 250) only once the intake has committed it.
func (ss *session) Data(r io.Reader) error {
	s := ss.s
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return errClosing
	}
	s.inflight.Add(1)
	s.mu.Unlock()
	defer s.inflight.Done()

	start := time.Now()
	raw, err := io.ReadAll(r)
	if err != nil {
		// Too large (552), or the connection broke mid-message.
		s.report(err, nil, start)
		return err
	}
	m, err := Parse(raw, ss.from, s.cfg.Limits)
	if err != nil {
		serr := &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message could not be read: " + strings.TrimPrefix(err.Error(), ErrMalformed.Error()+": ")}
		s.report(serr, nil, start)
		return serr
	}
	m.To, m.ReplyToken = ss.to, ss.token
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
	defer cancel()
	if err := s.cfg.Intake.ReceiveEmail(ctx, m); err != nil {
		var serr *smtp.SMTPError
		switch portal.ErrorCode(err) {
		case portal.EINVALID, portal.ETOOLARGE:
			serr = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message refused: " + portal.ErrorMessage(err)}
		default:
			s.cfg.Logger.Error("inbound mail: store", "message_id", m.MessageID, "from", m.From, "err", err)
			serr = errTryLater
		}
		s.report(serr, m, start)
		return serr
	}
	s.report(nil, m, start)
	return nil
}

func (s *Server) report(err error, m *portal.InboundEmail, start time.Time) {
	code := 250
	var serr *smtp.SMTPError
	if errors.As(err, &serr) {
		code = serr.Code
	} else if err != nil {
		code = 451
	}
	if code != 250 {
		s.cfg.Logger.Info("inbound mail refused", "code", code, "err", err, "ms", time.Since(start).Milliseconds())
	} else {
		s.cfg.Logger.Debug("inbound mail stored", "message_id", m.MessageID, "from", m.From, "auto", m.Auto, "bytes", m.Size, "ms", time.Since(start).Milliseconds())
	}
}

// slogWriter sends go-smtp's log lines (accept and connection errors) to slog.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Warn("smtp", "msg", strings.TrimSpace(string(p)))
	return len(p), nil
}
