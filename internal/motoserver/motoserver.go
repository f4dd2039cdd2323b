// Package motoserver starts moto's AWS emulator (moto_server) for end-to-end
// tests that go through the real AWS SDK over HTTP.
//
// moto is a Python program: install it with `pip install 'moto[server]'`.
// When it is missing a test is skipped with that advice, except under
// CI=true, where it fails: CI must never pass by skipping. Under -short
// (unit tests only) a test that starts it is always skipped.
package motoserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/internal/testutil"
)

// Server is a running moto_server.
type Server struct {
	// URL is the endpoint, e.g. http://127.0.0.1:43121.
	URL string
	cmd *exec.Cmd
	out *testutil.SyncBuffer
	// exited is closed when the process has ended (its Wait returned).
	exited chan struct{}
}

// Start launches moto_server on a free loopback port and stops it when the
// test ends. It also points the AWS SDK at moto's fixed test credentials
// through the environment (t.Setenv, so the test must not be parallel).
func Start(t testing.TB) *Server {
	t.Helper()
	bin := testutil.RequireTool(t, "moto_server", "pip install 'moto[server]'")
	// The free port is found by binding and closing it, so another process
	// can take it before moto binds; moto then exits at once, and another
	// port is tried.
	var s *Server
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("find a free port for moto_server: %v", err)
		}
		out := &testutil.SyncBuffer{}
		cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start moto_server: %v", err)
		}
		exited := make(chan struct{})
		s = &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, out: out, exited: exited}
		go func() { _ = cmd.Wait(); close(exited) }()
		t.Cleanup(s.stop)
		err = s.waitReady(30 * time.Second)
		if err == nil {
			break
		}
		if !errors.Is(err, errExited) || attempt == 3 {
			t.Fatalf("moto_server did not start: %v\n%s", err, out.String())
		}
	}
	// moto accepts any credentials; these fixed ones are its documented
	// defaults and map to its default account 123456789012.
	// Tests pass moto's URL as the endpoint themselves, so
	// AWS_ENDPOINT_URL is cleared rather than set.
	testutil.SetEnv(t, awsclient.LocalEnv("", "us-east-1", aws.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}))
	return s
}

// Reset wipes moto's state (POST /moto-api/reset), so one server can serve
// several independent subtests.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	resp, err := http.Post(s.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("reset moto: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset moto: HTTP %d", resp.StatusCode)
	}
}

// Log returns what moto_server printed (its request log).
func (s *Server) Log() string { return s.out.String() }

// errExited is waitReady's answer when moto_server ended before answering.
var errExited = errors.New("moto_server exited before it answered")

func (s *Server) waitReady(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/moto-api/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("%w (%s): %v", errExited, s.URL, s.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("no answer on %s within %s: %w", s.URL, timeout, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *Server) stop() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}
