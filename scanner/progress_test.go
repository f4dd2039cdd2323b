package scanner

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/hoofprint/hoofprint/internal/testutil"
)

func TestProgressOnATerminalIsOneLiveLine(t *testing.T) {
	c := &counters{}
	c.accountsTotal.Store(4)
	c.accountsDone.Store(1)
	c.buckets.Store(7)
	var out testutil.SyncBuffer
	p := startProgress(c, &out, true, time.Hour, discardLogger())
	// Wait for a redraw rather than sleeping a fixed time: a loaded CI
	// machine may be slow to schedule the ticker.
	waitFor(t, func() bool { return strings.Contains(out.String(), "accounts 1/4") })
	p.finish()
	s := out.String()
	if !strings.Contains(s, "\r\x1b[K") || !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") != 1 {
		t.Errorf("terminal output %q: want lines rewritten in place and one final newline", s)
	}
	if !strings.Contains(s, "accounts 1/4") || !strings.Contains(s, "buckets 7") {
		t.Errorf("terminal output %q lacks the counters", s)
	}
}

func TestProgressOffATerminalIsStructuredLogRecords(t *testing.T) {
	c := &counters{}
	c.objectsListed.Store(12345)
	var logs testutil.SyncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	var tty testutil.SyncBuffer
	p := startProgress(c, &tty, false, 20*time.Millisecond, logger)
	waitFor(t, func() bool { return strings.Count(logs.String(), `"msg":"scan progress"`) >= 2 })
	p.finish()
	if tty.String() != "" {
		t.Errorf("wrote %q to the progress writer off a terminal", tty.String())
	}
	if n := strings.Count(logs.String(), `"msg":"scan progress"`); n < 2 || !strings.Contains(logs.String(), `"objectsListed":12345`) {
		t.Errorf("%d progress records in %s", n, logs.String())
	}
}

// waitFor polls cond until it holds, failing the test after ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// throttleTwice answers S3 with SlowDown twice, then with an empty listing.
type throttleTwice struct{ n atomic.Int64 }

func (f *throttleTwice) RoundTrip(req *http.Request) (*http.Response, error) {
	body, status := `<ListAllMyBucketsResult><Owner><ID>abc</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>`, 200
	if f.n.Add(1) <= 2 {
		body, status = `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`, 503
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"text/xml"}},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

func TestThrottlesAreCountedPerAttempt(t *testing.T) {
	c := &counters{}
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:  &http.Client{Transport: &throttleTwice{}},
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		}),
		APIOptions: []func(*middleware.Stack) error{c.countAttempts},
	})
	if _, err := client.ListBuckets(t.Context(), &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	if got := c.throttles.Load(); got != 2 {
		t.Errorf("%d throttles counted, want 2 (one per throttled attempt)", got)
	}
}
