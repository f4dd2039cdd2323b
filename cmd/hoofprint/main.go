// Command hoofprint scans an AWS Organization for the S3 and CloudFront
// mistakes that leak or break health data, and reports them as SARIF,
// Security Hub findings and a terminal summary.
//
// This package only wires flags to the library (scanner, rules, report,
// pipeline); see the README for how to use it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"

	"github.com/hoofprint/hoofprint/internal/termsafe"
)

// Set at build time with -ldflags "-X main.version=… -X main.commit=… -X main.date=…".
var (
	version = "0.1.0-dev"
	commit  = "none"
	date    = "unknown"
)

// Exit codes (README "Exit codes"). Automation alarms on these.
const (
	exitOK         = 0
	exitFindings   = 1 // findings at or above --fail-on
	exitUsage      = 2 // usage or configuration error
	exitIncomplete = 3 // ran, but some accounts or resources could not be read
)

func main() {
	// SIGTERM is how ECS stops a task; both signals stop new work, and the
	// reports of what was collected are still written (see pipeline).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	setMemoryLimit(memlimit.FromCgroup)
	stopProfile := cpuProfile(os.Getenv("HOOFPRINT_CPUPROFILE"))
	stopHeapProfile := peakHeapProfile(os.Getenv("HOOFPRINT_MEMPROFILE"))
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopHeapProfile()
	stopProfile()
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	rec := &runRecord{started: time.Now()}
	root := newRootCommand(stdout, stderr, rec)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	code := exitCode(err, stderr)
	if rec.logger == nil && code != exitOK {
		// The run failed before a command set up its logger (an unknown
		// command or flag, a bad value, no credentials): the summary record
		// must still be the last line, for the alarms that read it.
		rec.logger = fallbackLogger(args, stderr)
	}
	rec.log(code)
	return code
}

// fallbackLogger logs in the --log-format the command line asked for,
// read without the flag parser (which may be what failed).
func fallbackLogger(args []string, stderr io.Writer) *slog.Logger {
	format := "text"
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--log-format="); ok {
			format = v
		} else if a == "--log-format" && i+1 < len(args) {
			format = args[i+1]
		}
	}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(stderr, nil))
	}
	return slog.New(slog.NewTextHandler(stderr, nil))
}

// exitCode maps the sentinel errors the commands return to the README's exit
// codes and prints the error once.
func exitCode(err error, stderr io.Writer) int {
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		if ee.msg != "" {
			// Error text can quote outside data (a bucket name, an AWS or
			// emulator message): escaped, it cannot drive the terminal.
			// Multi-line messages keep their lines.
			fmt.Fprintln(stderr, "hoofprint:", escapeLines(ee.msg))
		}
		return ee.code
	default:
		fmt.Fprintln(stderr, "hoofprint:", escapeLines(err.Error()))
		return exitUsage
	}
}

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// escapeLines escapes control characters line by line (termsafe.Escape),
// keeping the message's own line breaks.
func escapeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = termsafe.Escape(l)
	}
	return strings.Join(lines, "\n")
}
