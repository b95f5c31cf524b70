package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/postgres/pgtest"
)

func runCmd(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpListsCommands(t *testing.T) {
	code, out, _ := runCmd(t, nil, "help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"serve", "migrate", "user create", "bench portal", "bench mail", "FRONTDESK_DATABASE_URL"} {
		if !strings.Contains(out, want) {
			t.Fatalf("help lacks %q", want)
		}
	}
	if code, _, errOut := runCmd(t, nil, "frobnicate"); code != 2 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown command: exit %d, %q", code, errOut)
	}
}

func TestMigrateAndCreateAdmin(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			env := map[string]string{"FRONTDESK_DATA_DIR": t.TempDir(), "FRONTDESK_DATABASE_URL": ""}
			if kind == "postgres" {
				env["FRONTDESK_DATABASE_URL"] = pgtest.URL(t)
			}
			code, out, errOut := runCmd(t, env, "migrate")
			if code != 0 || !strings.Contains(out, "Schema is up to date") {
				t.Fatalf("migrate: exit %d out %q err %q", code, out, errOut)
			}
			code, out, errOut = runCmd(t, env, "user", "create", "--role", "admin", "--email", "Boss@Example.com")
			if code != 0 || !strings.Contains(out, "Created admin boss@example.com") || !strings.Contains(out, "Password: ") {
				t.Fatalf("user create: exit %d out %q err %q", code, out, errOut)
			}
			code, _, errOut = runCmd(t, env, "user", "create", "--role", "admin", "--email", "boss@example.com", "--password", "long enough pw")
			if code != 1 || !strings.Contains(errOut, "already exists") {
				t.Fatalf("duplicate: exit %d err %q", code, errOut)
			}
			code, _, errOut = runCmd(t, env, "user", "create", "--role", "wizard", "--email", "w@example.com", "--password", "long enough pw")
			if code != 1 || !strings.Contains(errOut, "Unknown role") {
				t.Fatalf("bad role: exit %d err %q", code, errOut)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	code, _, errOut := runCmd(t, map[string]string{"FRONTDESK_DEMO": "yes", "FRONTDESK_DATA_DIR": t.TempDir()}, "migrate")
	if code != 1 || !strings.Contains(errOut, "FRONTDESK_DEMO must be 1 or 0") {
		t.Fatalf("exit %d err %q", code, errOut)
	}
	code, _, errOut = runCmd(t, map[string]string{"FRONTDESK_DATABASE_URL": "mysql://x", "FRONTDESK_DATA_DIR": t.TempDir(), "FRONTDESK_DEMO": ""}, "migrate")
	if code != 1 || !strings.Contains(errOut, "postgres://") {
		t.Fatalf("exit %d err %q", code, errOut)
	}
	code, _, errOut = runCmd(t, map[string]string{"FRONTDESK_VAT_RATE": "lots", "FRONTDESK_DATA_DIR": t.TempDir(), "FRONTDESK_DEMO": ""}, "migrate")
	if code != 1 || !strings.Contains(errOut, "FRONTDESK_VAT_RATE") {
		t.Fatalf("exit %d err %q", code, errOut)
	}
	code, _, errOut = runCmd(t, map[string]string{"FRONTDESK_SUPPORT_ADDRESS": "Support <support+x@shop.example>", "FRONTDESK_VAT_RATE": "", "FRONTDESK_DATABASE_URL": "", "FRONTDESK_DATA_DIR": t.TempDir(), "FRONTDESK_DEMO": ""}, "migrate")
	if code != 1 || !strings.Contains(errOut, "FRONTDESK_SUPPORT_ADDRESS") {
		t.Fatalf("exit %d err %q", code, errOut)
	}
}

func TestSellerFromEnvironment(t *testing.T) {
	env := map[string]string{"FRONTDESK_SELLER_NAME": "Škoda Möbel s.r.o.", "FRONTDESK_SELLER_ADDRESS": "Náměstí 1; 110 00 Praha ;Czechia",
		"FRONTDESK_SELLER_VAT_ID": "CZ12345678", "FRONTDESK_VAT_RATE": "21"}
	cfg := ConfigFromEnv(func(k string) string { return env[k] })
	if got, want := fmt.Sprint(cfg.Seller), fmt.Sprint(portal.Seller{Name: "Škoda Möbel s.r.o.", Address: []string{"Náměstí 1", "110 00 Praha", "Czechia"}, VATID: "CZ12345678", VATRateBasisPoints: 2100}); got != want {
		t.Fatalf("seller=%s, want %s", got, want)
	}
	if got := ConfigFromEnv(func(string) string { return "" }).Seller.Name; got != portal.DemoSeller.Name {
		t.Fatalf("default seller=%q", got)
	}
}

func TestServeSeedsOnlyEmptyEmbeddedStore(t *testing.T) {
	srv := MustStartServer(t, "sqlite")
	_, n, err := srv.Store.FindUsers(context.Background(), portalUserFilterAll())
	if err != nil || n < 27 {
		t.Fatalf("demo users=%d err=%v, want 27+", n, err)
	}
}

func TestSetGCPolicyKeepsGOGCFromEnvironment(t *testing.T) {
	old := debug.SetGCPercent(123)
	defer debug.SetGCPercent(old)
	setGCPolicy(func(k string) string {
		if k == "GOGC" {
			return "123"
		}
		return ""
	})
	if got, want := debug.SetGCPercent(123), 123; got != want {
		t.Fatalf("GOGC=%d, want %d", got, want)
	}
}

func TestGCPercentFallsAsTheLiveHeapGrows(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, gcPercent},
		{15 << 20, gcPercent}, // the model alone: the higher GOGC
		{32 << 20, 200},       // gcHeadroom of garbage
		{48 << 20, 130},       // in steps of 10
		{64 << 20, 100},
		{96 << 20, 60},
		{128 << 20, 50},
		{1 << 30, gcPercentFloor}, // never under the floor
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d MiB)=%d, want %d", c.live>>20, got, c.want)
		}
	}
}

func TestSetGCPolicyRaisesGOGCUnderAMemoryLimit(t *testing.T) {
	old := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(-1)
	defer debug.SetGCPercent(old)
	defer debug.SetMemoryLimit(oldLimit)
	if availableMemory() <= 0 {
		t.Skip("memory size unknown here")
	}
	if !setGCPolicy(func(string) string { return "" }) {
		t.Fatal("policy not applied")
	}
	if got, want := debug.SetGCPercent(100), gcPercent; got != want {
		t.Fatalf("GOGC=%d, want %d", got, want)
	}
	if got := debug.SetMemoryLimit(-1); got <= 0 || got == math.MaxInt64 {
		t.Fatalf("memory limit %d, want one", got)
	}
}
