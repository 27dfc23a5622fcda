//go:build linux

package ironictest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// process is a service the harness started (Ironic, Keystone), in its own process
// group so that Stop also ends its children.
type process struct {
	cmd    *exec.Cmd
	exited chan error
}

// startProcess runs argv with its output in logPath, killed with the test binary
// should that die first.
func startProcess(logPath string, env []string, argv ...string) (*process, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", argv[0], err)
	}
	p := &process{cmd: cmd, exited: make(chan error, 1)}
	go func() { p.exited <- cmd.Wait(); logFile.Close() }()
	return p, nil
}

// exitErr reports whether the process has ended, without waiting.
func (p *process) exitErr() (error, bool) {
	select {
	case err := <-p.exited:
		p.exited <- err
		return err, true
	default:
		return nil, false
	}
}

// stop ends the process group: SIGTERM, then SIGKILL after 10 s. Safe to call twice.
func (p *process) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case err := <-p.exited:
		p.exited <- err
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
}

// randomHex makes the passwords of a private service unguessable by other local users.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// useWAL puts a sqlite database in write-ahead-log mode (it stays so): otherwise a
// write that meets an open read answers "database is locked", which Ironic and
// Keystone turn into failed or half-done requests.
func useWAL(ctx context.Context, db string) error {
	wal := `import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")`
	if out, err := exec.CommandContext(ctx, "/usr/bin/python3", "-c", wal, db).CombinedOutput(); err != nil {
		return fmt.Errorf("%s in WAL mode: %v: %s", db, err, out)
	}
	return nil
}
