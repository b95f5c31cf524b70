//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestFloodChild is the server of TestServerSurvivesSocketFlood, run in a
// child process with few descriptors; it is skipped otherwise.
func TestFloodChild(t *testing.T) {
	dir := os.Getenv("FRONTDESK_FLOOD_CHILD")
	if dir == "" {
		t.Skip("the child process of TestServerSurvivesSocketFlood")
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: 256, Max: 256}); err != nil {
		t.Fatal(err)
	}
	cfg := ConfigFromEnv(os.Getenv)
	cfg.Addr, cfg.DataDir, cfg.Demo = "127.0.0.1:0", dir, "1"
	m := &Main{Config: cfg, Logger: cfg.logger(os.Stderr)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	go func() { io.Copy(io.Discard, os.Stdin); cancel() }() // the parent is done
	fmt.Printf("URL %s\n", m.URL())
	if err := m.Run(ctx); err != nil || ctx.Err() == nil {
		fmt.Printf("EXITED %v\n", err)
		os.Exit(3)
	}
}

// TestServerSurvivesSocketFlood floods a server limited to 256 open files
// with chat sockets (one guest with many, and many guests on several
// addresses) and idle connections beyond the per-address cap: it stays
// up, and the health check and sign-in answer while the flood holds its
// sockets open.
func TestServerSurvivesSocketFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFloodChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FRONTDESK_FLOOD_CHILD="+t.TempDir(), "FRONTDESK_MAX_CONNS_PER_IP=32", "FRONTDESK_LOG_LEVEL=warn")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	go func() { cmd.Wait(); close(exited) }()
	defer func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(40 * time.Second):
			cmd.Process.Kill()
			t.Error("server did not stop")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", stderr.String())
		}
	}()
	var base string
	for base == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("server did not start:\n%s", stderr.String())
			}
			base, _ = strings.CutPrefix(l, "URL ")
		case <-time.After(2 * time.Minute):
			t.Fatal("server did not start in 2 minutes")
		}
	}
	host := strings.TrimPrefix(base, "http://")
	alive := func() {
		t.Helper()
		select {
		case <-exited:
			t.Fatalf("the server exited under the flood")
		default:
		}
	}

	var mu sync.Mutex
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	hold := func(c net.Conn) { mu.Lock(); held = append(held, c); mu.Unlock() }
	var statuses sync.Map // status -> *atomic.Int64
	count := func(st int) {
		v, _ := statuses.LoadOrStore(st, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	visitor := func(src string) string {
		hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}).DialContext}}
		defer hc.CloseIdleConnections()
		res, err := hc.Get(base + "/chat/visitor")
		if err != nil {
			return ""
		}
		res.Body.Close()
		for _, c := range res.Cookies() {
			if c.Name == "fd_visitor" {
				return c.Name + "=" + c.Value
			}
		}
		return ""
	}
	// socket opens a chat socket from src; it is held open when upgraded.
	socket := func(src, cookie string) {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 30 * time.Second}
		c, err := d.Dial("tcp", host)
		if err != nil {
			count(-1)
			return
		}
		key := make([]byte, 16)
		rand.Read(key)
		fmt.Fprintf(c, "GET /ws/chat HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nOrigin: %s\r\nCookie: %s\r\n\r\n",
			host, base64.StdEncoding.EncodeToString(key), base, cookie)
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			count(-1)
			c.Close()
			return
		}
		count(res.StatusCode)
		if res.StatusCode == http.StatusSwitchingProtocols {
			c.SetReadDeadline(time.Time{})
			hold(c)
		} else {
			c.Close()
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	run := func(f func()) {
		wg.Add(1)
		sem <- struct{}{}
		go func() { defer wg.Done(); defer func() { <-sem }(); f() }()
	}
	// One guest, many tabs (the reported attack, scaled down).
	one := visitor("127.0.0.2")
	for i := 0; i < 40; i++ {
		run(func() { socket("127.0.0.2", one) })
	}
	// Many guests on several addresses.
	for a := 3; a <= 10; a++ {
		src := fmt.Sprintf("127.0.0.%d", a)
		for v := 0; v < 5; v++ {
			ck := visitor(src)
			for i := 0; i < 8; i++ {
				run(func() { socket(src, ck) })
			}
		}
	}
	// Idle connections beyond the per-address cap.
	for i := 0; i < 40; i++ {
		run(func() {
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.11")}}
			if c, err := d.Dial("tcp", host); err == nil {
				hold(c)
			}
		})
	}
	wg.Wait()
	alive()
	got := map[int]int64{}
	statuses.Range(func(k, v any) bool { got[k.(int)] = v.(*atomic.Int64).Load(); return true })
	t.Logf("chat socket answers under the flood (status: count; -1 a failed connection): %v", got)
	if got[101] == 0 || got[503] == 0 {
		t.Errorf("want some sockets opened and some refused for the descriptor reserve (503); got %v", got)
	}

	// The flood holds its sockets: the health check and sign-in still work.
	hc := &http.Client{Timeout: 30 * time.Second}
	res, err := hc.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("health check under the flood: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("health check under the flood: status %d", res.StatusCode)
	}
	jar, _ := cookiejar.New(nil)
	hc.Jar = jar
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	page, err := hc.Get(base + "/login")
	if err != nil {
		t.Fatalf("sign-in page under the flood: %v", err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	tok := benchCSRF.FindSubmatch(body)
	if tok == nil {
		t.Fatalf("sign-in page: status %d", page.StatusCode)
	}
	res, err = hc.PostForm(base+"/login", url.Values{"_csrf": {string(tok[1])}, "email": {"customer@example.com"}, "password": {"demo"}})
	if err != nil {
		t.Fatalf("sign-in under the flood: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in under the flood: status %d, want 303", res.StatusCode)
	}
	alive()
}
