package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/web"
)

var errUsage = errors.New("usage")

// Config is the server's configuration, from the environment and flags.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	BaseURL     string
	Secret      string
	Demo        string // "", "1" or "0"
	SMTPURL     string
	MailFrom    string
	// SMTPListen (FRONTDESK_SMTP_LISTEN), when set, is where Frontdesk
	// takes mail for the support address itself (behind the MX or relay).
	SMTPListen string
	// SupportAddress (FRONTDESK_SUPPORT_ADDRESS) is where customers write;
	// case replies come from support+<token>@ its domain. Empty means
	// support@ the domain of MailFrom.
	SupportAddress string
	// SMTPMaxSize (FRONTDESK_SMTP_MAX_SIZE) is the largest inbound message
	// in bytes; 0 means 25 MiB.
	SMTPMaxSize int
	LogLevel    string
	LogFormat   string
	// WebhookSecrets maps a tracking webhook source to its HMAC secret.
	WebhookSecrets map[string][]byte
	// NodeName names this node in the X-Frontdesk-Node header (FRONTDESK_NODE_NAME).
	NodeName string
	// PprofAddr, when set, serves net/http/pprof there (keep it on loopback).
	PprofAddr string
	// OpenAI* configure the chat bot's optional language model.
	OpenAIKey     string
	OpenAIBaseURL string
	OpenAIModel   string
	// AgentGrace (FRONTDESK_AGENT_GRACE, a Go duration, default 60s) is how
	// long an agent with no live socket keeps their chats.
	AgentGrace string
	// CaseDigestHour (FRONTDESK_CASE_DIGEST_HOUR, 0 to 23, default 7) is
	// the UTC hour after which the managers' daily case digest is sent.
	CaseDigestHour string
	// CaseEscalationInterval (FRONTDESK_CASE_ESCALATION_INTERVAL, a Go
	// duration from 1s to 1h, default 30s) is how often each node's case
	// loop evaluates SLA targets and fires escalation rules.
	CaseEscalationInterval string
	// HistoryCachePages is how many rendered history pages a node keeps
	// (FRONTDESK_HISTORY_CACHE_PAGES): 0 means the default (4096), "off"
	// (a negative number) turns the cache off, as `bench portal` does to
	// measure the uncached page.
	HistoryCachePages int
	// Connection limits (see docs/deploy.md): TrustedProxies (CIDRs) may
	// name the client in X-Forwarded-For; the rest are web.Config's
	// (0 means its default, negative no cap).
	TrustedProxies        string
	MetricsFrom           string
	MaxConnsPerIP         int
	FDReserve             int
	ChatSocketsPerVisitor int
	ChatSocketsPerIP      int
	// Seller is the retailer on invoices (FRONTDESK_SELLER_NAME,
	// FRONTDESK_SELLER_ADDRESS with lines separated by ";",
	// FRONTDESK_SELLER_VAT_ID, FRONTDESK_VAT_RATE in percent); the demo
	// retailer's details by default.
	Seller portal.Seller
	// limitErr is a limit variable that is not a number.
	limitErr error
}

// ConfigFromEnv reads FRONTDESK_* variables with their defaults.
func ConfigFromEnv(getenv func(string) string) Config {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	var limitErr error
	num := func(k string) int {
		v := get(k, "0")
		n, err := strconv.Atoi(v)
		if err != nil && limitErr == nil {
			limitErr = fmt.Errorf("%s must be a whole number, not %q", k, v)
		}
		return n
	}
	seller := portal.DemoSeller
	seller.Name = get("FRONTDESK_SELLER_NAME", seller.Name)
	if a := get("FRONTDESK_SELLER_ADDRESS", ""); a != "" {
		seller.Address = nil
		for _, l := range strings.Split(a, ";") {
			if l = strings.TrimSpace(l); l != "" {
				seller.Address = append(seller.Address, l)
			}
		}
	}
	seller.VATID = get("FRONTDESK_SELLER_VAT_ID", seller.VATID)
	if r := get("FRONTDESK_VAT_RATE", ""); r != "" {
		bp, err := portal.ParseVATRate(r)
		if err != nil && limitErr == nil {
			limitErr = fmt.Errorf("FRONTDESK_VAT_RATE: %w", err)
		}
		seller.VATRateBasisPoints = bp
	}
	return Config{
		Seller:                 seller,
		TrustedProxies:         get("FRONTDESK_TRUSTED_PROXIES", ""),
		MetricsFrom:            get("FRONTDESK_METRICS_FROM", ""),
		MaxConnsPerIP:          num("FRONTDESK_MAX_CONNS_PER_IP"),
		FDReserve:              num("FRONTDESK_FD_RESERVE"),
		ChatSocketsPerVisitor:  num("FRONTDESK_CHAT_SOCKETS_PER_VISITOR"),
		ChatSocketsPerIP:       num("FRONTDESK_CHAT_SOCKETS_PER_IP"),
		limitErr:               limitErr,
		Addr:                   get("FRONTDESK_ADDR", ":8080"),
		DataDir:                get("FRONTDESK_DATA_DIR", "./data"),
		DatabaseURL:            get("FRONTDESK_DATABASE_URL", ""),
		BaseURL:                get("FRONTDESK_BASE_URL", ""),
		Secret:                 get("FRONTDESK_SECRET", ""),
		Demo:                   get("FRONTDESK_DEMO", ""),
		SMTPURL:                get("FRONTDESK_SMTP_URL", ""),
		MailFrom:               get("FRONTDESK_MAIL_FROM", "Frontdesk <no-reply@localhost>"),
		SMTPListen:             get("FRONTDESK_SMTP_LISTEN", ""),
		SupportAddress:         get("FRONTDESK_SUPPORT_ADDRESS", ""),
		SMTPMaxSize:            num("FRONTDESK_SMTP_MAX_SIZE"),
		LogLevel:               get("FRONTDESK_LOG_LEVEL", "info"),
		LogFormat:              get("FRONTDESK_LOG_FORMAT", "text"),
		WebhookSecrets:         parseSecrets(get("FRONTDESK_WEBHOOK_SECRETS", "")),
		NodeName:               get("FRONTDESK_NODE_NAME", ""),
		PprofAddr:              get("FRONTDESK_PPROF_ADDR", ""),
		OpenAIKey:              get("FRONTDESK_OPENAI_API_KEY", ""),
		OpenAIBaseURL:          get("FRONTDESK_OPENAI_BASE_URL", ""),
		OpenAIModel:            get("FRONTDESK_OPENAI_MODEL", ""),
		AgentGrace:             get("FRONTDESK_AGENT_GRACE", ""),
		CaseDigestHour:         get("FRONTDESK_CASE_DIGEST_HOUR", ""),
		CaseEscalationInterval: get("FRONTDESK_CASE_ESCALATION_INTERVAL", ""),
		HistoryCachePages:      parseCachePages(get("FRONTDESK_HISTORY_CACHE_PAGES", "")),
	}
}

// parseCachePages reads FRONTDESK_HISTORY_CACHE_PAGES: empty or 0 for
// the default, "off" (or a negative number) for none, else a count.
func parseCachePages(s string) int {
	if s == "off" {
		return -1
	}
	n, _ := strconv.Atoi(s)
	return n
}

// parseSecrets reads "source=secret,source=secret".
func parseSecrets(s string) map[string][]byte {
	out := map[string][]byte{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && k != "" && v != "" {
			out[strings.TrimSpace(k)] = []byte(strings.TrimSpace(v))
		}
	}
	return out
}

// flags registers flags that override the environment.
func (c *Config) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (FRONTDESK_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory (FRONTDESK_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "postgres:// URL; empty for embedded SQLite (FRONTDESK_DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public URL for links in emails (FRONTDESK_BASE_URL)")
	fs.StringVar(&c.Demo, "demo", c.Demo, "1 seeds demo data into an empty store, 0 never (FRONTDESK_DEMO)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (FRONTDESK_LOG_LEVEL)")
}

// parseFlags parses args into a config from the environment.
func parseFlags(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (Config, *flag.FlagSet, error) {
	cfg := ConfigFromEnv(os.Getenv)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, fs, errUsage
	}
	return cfg, fs, cfg.validate()
}

func (c *Config) validate() error {
	if c.limitErr != nil {
		return c.limitErr
	}
	if _, err := web.ParseTrustedProxies(c.TrustedProxies); err != nil {
		return fmt.Errorf("FRONTDESK_TRUSTED_PROXIES: %w", err)
	}
	if _, err := web.ParseTrustedProxies(c.MetricsFrom); err != nil {
		return fmt.Errorf("FRONTDESK_METRICS_FROM: %w", err)
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return fmt.Errorf("FRONTDESK_DATABASE_URL must start with postgres://")
	}
	if _, err := c.agentGrace(); err != nil {
		return err
	}
	if _, err := c.caseDigestHour(); err != nil {
		return err
	}
	if _, err := c.caseEscalationInterval(); err != nil {
		return err
	}
	if _, err := c.supportAddress(); err != nil {
		return err
	}
	switch c.Demo {
	case "", "0", "1":
	default:
		return fmt.Errorf("FRONTDESK_DEMO must be 1 or 0, not %q", c.Demo)
	}
	return nil
}

// Embedded reports whether the store is the embedded SQLite one.
func (c *Config) Embedded() bool { return c.DatabaseURL == "" }

// secret returns the signing key: FRONTDESK_SECRET, or a key kept in the
// data dir, generated on first start.
func (c *Config) secret() ([]byte, error) {
	if c.Secret != "" {
		if len(c.Secret) < 32 {
			return nil, errors.New("FRONTDESK_SECRET must be at least 32 characters")
		}
		return []byte(c.Secret), nil
	}
	path := filepath.Join(c.DataDir, "secret")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	b := make([]byte, 32)
	rand.Read(b)
	key := hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write secret: %w", err)
	}
	return []byte(key), nil
}

func (c *Config) logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// agentGrace parses AgentGrace; empty means the default (0).
func (c *Config) agentGrace() (time.Duration, error) {
	if c.AgentGrace == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(c.AgentGrace)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("FRONTDESK_AGENT_GRACE must be a positive Go duration such as 60s, not %q", c.AgentGrace)
	}
	return d, nil
}

// caseDigestHour parses CaseDigestHour; nil means the default.
func (c *Config) caseDigestHour() (*int, error) {
	if strings.TrimSpace(c.CaseDigestHour) == "" {
		return nil, nil
	}
	h, err := strconv.Atoi(strings.TrimSpace(c.CaseDigestHour))
	if err != nil || h < 0 || h > 23 {
		return nil, fmt.Errorf("FRONTDESK_CASE_DIGEST_HOUR must be a UTC hour from 0 to 23, not %q", c.CaseDigestHour)
	}
	return &h, nil
}

// caseEscalationInterval parses CaseEscalationInterval; 0 means the
// default.
func (c *Config) caseEscalationInterval() (time.Duration, error) {
	if strings.TrimSpace(c.CaseEscalationInterval) == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(c.CaseEscalationInterval))
	if err != nil || d < time.Second || d > time.Hour {
		return 0, fmt.Errorf("FRONTDESK_CASE_ESCALATION_INTERVAL must be a Go duration from 1s to 1h such as 30s, not %q", c.CaseEscalationInterval)
	}
	return d, nil
}

// supportAddress is FRONTDESK_SUPPORT_ADDRESS, or support@ the domain of
// the sender address.
func (c *Config) supportAddress() (string, error) {
	if c.SupportAddress == "" {
		from, err := mail.ParseAddress(c.MailFrom)
		if err != nil {
			return "", fmt.Errorf("FRONTDESK_MAIL_FROM must be an email address, not %q", c.MailFrom)
		}
		return "support@" + from.Address[strings.LastIndexByte(from.Address, '@')+1:], nil
	}
	a, err := mail.ParseAddress(c.SupportAddress)
	if err != nil || a.Name != "" || strings.Contains(a.Address, "+") {
		return "", fmt.Errorf("FRONTDESK_SUPPORT_ADDRESS must be a plain address such as support@shop.example, not %q", c.SupportAddress)
	}
	return strings.ToLower(a.Address), nil
}

// senderName is the display name of FRONTDESK_MAIL_FROM ("" when none).
func (c *Config) senderName() string {
	if a, err := mail.ParseAddress(c.MailFrom); err == nil {
		return a.Name
	}
	return ""
}
