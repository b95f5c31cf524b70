package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
)

// runBenchEcho serves the peer that `bench all` measures the chat against:
// a plain fiber + gofiber/contrib/websocket server, one goroutine per
// socket, that speaks just enough of the chat protocol for `bench chat` to
// drive it: GET /chat/visitor sets a cookie; on /ws/chat, each `send` is
// echoed as the customer's message, acknowledged, and answered at once by
// a "bot" message; nothing is stored. It is what sockets and message
// latency cost with no store and no bot behind them.
func runBenchEcho(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (loopback)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	app := newEchoApp()
	go func() {
		<-ctx.Done()
		app.ShutdownWithTimeout(5 * time.Second)
	}()
	fmt.Fprintf(stdout, "echo server at http://%s\n", ln.Addr())
	return app.Listener(ln)
}

// startEchoServer runs `bench echo` as a child process (its sockets count
// against its own open-file limit) and returns its URL and process id.
func startEchoServer(ctx context.Context, stderr io.Writer) (url string, pid int, stop func(), err error) {
	exe, err := os.Executable()
	if err != nil {
		return "", 0, nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "bench", "echo")
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	stop = func() { cmd.Process.Kill(); cmd.Wait() }
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		stop()
		return "", 0, nil, errors.New("echo server did not start")
	}
	url, ok := strings.CutPrefix(sc.Text(), "echo server at ")
	if !ok {
		stop()
		return "", 0, nil, fmt.Errorf("echo server: %q", sc.Text())
	}
	go io.Copy(io.Discard, out)
	return url, cmd.Process.Pid, stop, nil
}

func newEchoApp() *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/chat/visitor", func(c *fiber.Ctx) error {
		c.Cookie(&fiber.Cookie{Name: "fd_visitor", Value: "echo", Path: "/"})
		return c.JSON(fiber.Map{"ok": true})
	})
	app.Get("/readyz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Use("/ws/chat", func(c *fiber.Ctx) error {
		if websocket.IsWebSocketUpgrade(c) {
			return c.Next()
		}
		return fiber.ErrUpgradeRequired
	})
	app.Get("/ws/chat", websocket.New(func(conn *websocket.Conn) {
		var mu sync.Mutex
		seq := 0
		var f benchFrame
		var buf []byte
		for {
			_, b, err := conn.ReadMessage()
			if err != nil {
				return
			}
			if parseBenchFrame(b, &f) != nil || f.Type != "send" {
				continue
			}
			mu.Lock()
			seq++
			s := strconv.Itoa(seq)
			buf = append(append(append(append(append(buf[:0], `{"type":"message","seq":`...), s...), `,"id":"`...), f.ID...), `","author":"customer"}`...)
			conn.WriteMessage(websocket.TextMessage, buf)
			buf = append(append(append(append(append(buf[:0], `{"type":"ack","id":"`...), f.ID...), `","seq":`...), s...), '}')
			conn.WriteMessage(websocket.TextMessage, buf)
			seq++
			buf = append(append(append(buf[:0], `{"type":"message","seq":`...), strconv.Itoa(seq)...), `,"author":"bot","text":"echo"}`...)
			conn.WriteMessage(websocket.TextMessage, buf)
			mu.Unlock()
		}
	}))
	return app
}
