package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/frontdesk/frontdesk/portal/casefiles"
	"github.com/frontdesk/frontdesk/portal/inbound"
)

// openInbound starts listening for mail on FRONTDESK_SMTP_LISTEN (nothing
// when it is empty); Run serves it and shuts it down before the store.
func (m *Main) openInbound() error {
	if m.Config.SMTPListen == "" {
		return nil
	}
	addr, err := m.Config.supportAddress()
	if err != nil {
		return err
	}
	// Files go where the portal's uploads go, under the same limits.
	intake := &inbound.Intake{Store: m.Store,
		Files: &casefiles.Store{Dir: filepath.Join(m.Config.DataDir, "attachments")}, Cases: m.Cases}
	m.Inbound, err = inbound.New(inbound.Config{Address: addr, Intake: intake, MaxMessageBytes: int64(m.Config.SMTPMaxSize), Logger: m.Logger,
		Limits: inbound.Limits{MaxAttachments: casefiles.MaxFiles, MaxAttachmentBytes: casefiles.MaxFileSize}})
	if err != nil {
		return err
	}
	m.smtpLn, err = net.Listen("tcp", m.Config.SMTPListen)
	if err != nil {
		return fmt.Errorf("listen for mail on %s: %w", m.Config.SMTPListen, err)
	}
	m.Logger.Info("taking mail", "addr", m.smtpLn.Addr().String(), "for", addr)
	return nil
}

// SMTPAddr is the address the mail listener is bound to ("" when off).
func (m *Main) SMTPAddr() string {
	if m.smtpLn == nil {
		return ""
	}
	return m.smtpLn.Addr().String()
}

// serveInbound takes mail until closeInbound.
func (m *Main) serveInbound() {
	if m.Inbound == nil {
		return
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.Inbound.Serve(m.smtpLn); err != nil {
			m.Logger.Error("mail listener", "err", err)
		}
	}()
}

// closeInbound stops taking mail: messages being stored are committed and
// answered first (up to timeout); senders cut off later send again.
func (m *Main) closeInbound(timeout time.Duration) {
	if m.Inbound == nil {
		if m.smtpLn != nil {
			m.smtpLn.Close()
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := m.Inbound.Shutdown(ctx); err != nil {
		m.Logger.Warn("mail listener shutdown", "err", err)
	}
	m.smtpLn.Close()
}
