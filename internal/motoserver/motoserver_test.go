package motoserver

import (
	"errors"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// A server process that ends before answering (its port was taken) is
// known at once, so Start can try another port instead of waiting out the
// 30 seconds.
func TestWaitReadyNoticesAnExitedProcess(t *testing.T) {
	cmd := exec.Command("sh", "-c", "exit 3")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, exited: exited}
	err = s.waitReady(30 * time.Second)
	if !errors.Is(err, errExited) {
		t.Fatalf("waitReady = %v, want errExited", err)
	}
}
