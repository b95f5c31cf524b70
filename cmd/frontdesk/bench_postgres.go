package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// benchPG describes the PostgreSQL a benchmark ran on; every report that
// used PostgreSQL carries it, so that a figure from a non-durable server
// says so.
type benchPG struct {
	// Durable: fsync and synchronous_commit on (the benchmarks' default).
	Durable           bool   `json:"durable"`
	Fsync             string `json:"fsync"`
	SynchronousCommit string `json:"synchronous_commit"`
	FullPageWrites    string `json:"full_page_writes"`
	// OwnCluster: the bench started its own durable cluster because the
	// given server runs with fsync off.
	OwnCluster bool `json:"own_cluster,omitempty"`
}

func (p benchPG) String() string {
	mode := "DURABLE"
	if !p.Durable {
		mode = "NON-DURABLE (on request)"
	}
	own := ""
	if p.OwnCluster {
		own = ", the bench's own cluster"
	}
	return fmt.Sprintf("PostgreSQL %s: fsync=%s synchronous_commit=%s full_page_writes=%s%s", mode, p.Fsync, p.SynchronousCommit, p.FullPageWrites, own)
}

// benchPostgres prepares a scratch database for a benchmark on the server
// at adminURL. Durable (the default of every bench) means fsync and
// synchronous_commit on: synchronous_commit is set on the scratch
// database; fsync is the server's, so when the given server runs without
// it (as .ci/pg-start's test cluster does), a durable bench starts its own
// cluster in a temporary directory instead. Non-durable sets
// synchronous_commit off on the scratch database. It returns the scratch
// database's URL and a function that drops it (and stops the cluster).
func benchPostgres(ctx context.Context, adminURL string, durable bool, log io.Writer) (string, benchPG, func(), error) {
	info := benchPG{Durable: durable}
	stop := func() {}
	if durable {
		fsync, err := pgSetting(ctx, adminURL, "fsync")
		if err != nil {
			return "", info, nil, err
		}
		if fsync != "on" {
			fmt.Fprintf(log, "PostgreSQL at %s runs with fsync=%s: starting a durable cluster for the bench (-durable=false uses it as it is)\n", redactURL(adminURL), fsync)
			u, s, err := startDurablePostgres(ctx)
			if err != nil {
				return "", info, nil, fmt.Errorf("durable postgres: %w", err)
			}
			adminURL, stop, info.OwnCluster = u, s, true
		}
	}
	dbURL, drop, err := scratchDatabase(ctx, adminURL)
	if err != nil {
		stop()
		return "", info, nil, err
	}
	cleanup := func() { drop(); stop() }
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		cleanup()
		return "", info, nil, err
	}
	defer conn.Close(ctx)
	name := strings.TrimPrefix(mustParseURLPath(dbURL), "/")
	sc := "on"
	if !durable {
		sc = "off"
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" SET synchronous_commit = "+sc); err != nil {
		cleanup()
		return "", info, nil, err
	}
	// Read back what a connection to the scratch database gets.
	for _, s := range []struct {
		name string
		dst  *string
	}{{"fsync", &info.Fsync}, {"synchronous_commit", &info.SynchronousCommit}, {"full_page_writes", &info.FullPageWrites}} {
		if *s.dst, err = pgSetting(ctx, dbURL, s.name); err != nil {
			cleanup()
			return "", info, nil, err
		}
	}
	if durable && (info.Fsync != "on" || info.SynchronousCommit != "on") {
		cleanup()
		return "", info, nil, fmt.Errorf("postgres: asked for durable, got %s", info)
	}
	return dbURL, info, cleanup, nil
}

func pgSetting(ctx context.Context, url, name string) (string, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	var v string
	err = conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v)
	return v, err
}

// startDurablePostgres runs initdb and pg_ctl (PostgreSQL's own tools, as
// .ci/pg-start does, but with fsync and synchronous commit on) in a
// temporary directory on a free loopback port, as the postgres user when
// run as root.
func startDurablePostgres(ctx context.Context) (string, func(), error) {
	bin, err := pgBinDir()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "frontdesk-bench-pg-*")
	if err != nil {
		return "", nil, err
	}
	asPostgres := func(name string, args ...string) *exec.Cmd {
		path := filepath.Join(bin, name)
		if os.Geteuid() == 0 {
			return exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
		}
		return exec.CommandContext(ctx, path, args...)
	}
	if os.Geteuid() == 0 {
		if u, err := user.Lookup("postgres"); err == nil {
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			os.Chown(dir, uid, gid)
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := asPostgres("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	opts := "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=on -c synchronous_commit=on -c full_page_writes=on"
	if out, err := asPostgres("pg_ctl", "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o", opts, "start").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("pg_ctl start: %v: %s", err, out)
	}
	stop := func() {
		asPostgres("pg_ctl", "-D", data, "-m", "fast", "-w", "stop").Run()
		os.RemoveAll(dir)
	}
	url := "postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable"
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err := pgSetting(ctx, url, "fsync"); err == nil {
			return url, stop, nil
		} else if time.Now().After(deadline) {
			stop()
			return "", nil, err
		}
	}
}

// pgBinDir finds initdb: on the PATH, else under /usr/lib/postgresql.
func pgBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	ms, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(ms) > 0 {
		return filepath.Dir(ms[len(ms)-1]), nil
	}
	return "", errors.New("initdb not found (install PostgreSQL's server tools, give a durable server, or pass -durable=false)")
}

func mustParseURLPath(u string) string {
	i := strings.Index(u, "://")
	rest := u[i+3:]
	j := strings.IndexByte(rest, '/')
	if j < 0 {
		return ""
	}
	p := rest[j:]
	if k := strings.IndexByte(p, '?'); k >= 0 {
		p = p[:k]
	}
	return p
}

// redactURL hides a password in a database URL.
func redactURL(u string) string {
	i := strings.Index(u, "://")
	j := strings.LastIndexByte(u, '@')
	if i < 0 || j < i {
		return u
	}
	cred := u[i+3 : j]
	if k := strings.IndexByte(cred, ':'); k >= 0 {
		return u[:i+3] + cred[:k] + ":***" + u[j:]
	}
	return u
}
