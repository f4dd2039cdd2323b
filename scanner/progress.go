package scanner

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/smithy-go/middleware"

	"github.com/hoofprint/hoofprint/awsclient"
)

// counters are the scan's running totals, shown by the progress reporter
// and logged in the final summary. API calls come from the process-wide
// limiter, so they include retries and AssumeRole calls.
type counters struct {
	limiter       *awsclient.Limiter
	accountsTotal atomic.Int64
	accountsDone  atomic.Int64
	buckets       atomic.Int64
	objectsListed atomic.Int64
	aclsRead      atomic.Int64
	// ownerACLCalls and ownerACLReads count the object-owner pass's
	// GetObjectAcl calls and successes (the successes are in aclsRead too).
	ownerACLCalls atomic.Int64
	ownerACLReads atomic.Int64
	throttles     atomic.Int64
	errors        atomic.Int64
}

func (c *counters) apiCalls() int64 {
	if c.limiter == nil {
		return 0
	}
	return c.limiter.Requests()
}

// attrs are the counters as structured log attributes.
func (c *counters) attrs() []any {
	return []any{
		slog.Int64("accountsDone", c.accountsDone.Load()),
		slog.Int64("accountsTotal", c.accountsTotal.Load()),
		slog.Int64("buckets", c.buckets.Load()),
		slog.Int64("objectsListed", c.objectsListed.Load()),
		slog.Int64("aclsRead", c.aclsRead.Load()),
		slog.Int64("ownerACLCalls", c.ownerACLCalls.Load()),
		slog.Int64("ownerACLReads", c.ownerACLReads.Load()),
		slog.Int64("apiCalls", c.apiCalls()),
		slog.Int64("throttles", c.throttles.Load()),
		slog.Int64("errors", c.errors.Load()),
	}
}

func (c *counters) line() string {
	return fmt.Sprintf("accounts %d/%d · buckets %d · objects listed %d · ACLs read %d (%d as object owner) · API calls %d · throttles %d · errors %d",
		c.accountsDone.Load(), c.accountsTotal.Load(), c.buckets.Load(), c.objectsListed.Load(),
		c.aclsRead.Load(), c.ownerACLReads.Load(), c.apiCalls(), c.throttles.Load(), c.errors.Load())
}

// countAttempts is an SDK API option that counts throttled attempts. It
// sits in the Finalize step right after the retry middleware, so it runs
// once per attempt, not once per call: a call that is throttled twice and
// then succeeds counts two throttles.
// https://aws.github.io/aws-sdk-go-v2/docs/middleware/
func (c *counters) countAttempts(stack *middleware.Stack) error {
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("hoofprintAttemptCounter",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleFinalize(ctx, in)
			if err != nil && isThrottle(err) {
				c.throttles.Add(1)
			}
			return out, md, err
		}), "Retry", middleware.After)
}

// progressReporter shows the counters while the scan runs: a live line
// rewritten in place on a terminal, or a structured log record every
// interval otherwise (ECS, CI), where carriage returns would only make
// noise in the log.
type progressReporter struct {
	c        *counters
	w        io.Writer
	tty      bool
	interval time.Duration
	logger   *slog.Logger
	stop     chan struct{}
	done     sync.WaitGroup
}

func startProgress(c *counters, w io.Writer, tty bool, interval time.Duration, logger *slog.Logger) *progressReporter {
	p := &progressReporter{c: c, w: w, tty: tty, interval: interval, logger: logger, stop: make(chan struct{})}
	if w == nil {
		return p
	}
	if tty {
		p.interval = 200 * time.Millisecond
	}
	p.done.Add(1)
	go p.run()
	return p
}

func (p *progressReporter) run() {
	defer p.done.Done()
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			if p.tty {
				// Leave the last state on screen and end the line.
				fmt.Fprintf(p.w, "\r\x1b[K%s\n", p.c.line())
			}
			return
		case <-t.C:
			if p.tty {
				fmt.Fprintf(p.w, "\r\x1b[K%s", p.c.line())
			} else {
				p.logger.Info("scan progress", p.c.attrs()...)
			}
		}
	}
}

// finish stops the reporter and waits for its last write.
func (p *progressReporter) finish() {
	close(p.stop)
	p.done.Wait()
}
