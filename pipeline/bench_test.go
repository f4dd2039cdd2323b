package pipeline_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/hoofprint/hoofprint/awsclient"
	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/internal/testutil"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/pipeline"
	"github.com/hoofprint/hoofprint/scanner"
)

var heldProfiles = flag.String("heldprofiles", "", "BenchmarkHeldPerAccount: write a heap profile of each size at the map and at the last bucket into this directory")

// heldStream is `hoofprint scan`'s sink, measured: the heap the whole
// process holds, less the in-process emulator, when the organization map
// is complete and when the last bucket has been recorded.
type heldStream struct {
	*pipeline.Stream
	total        int64
	recorded     atomic.Int64
	atMap, atEnd int64
	profile      string
}

func (h *heldStream) Map(ctx context.Context, m *inventory.Snapshot) error {
	err := h.Stream.Map(ctx, m)
	h.atMap = heldByRun()
	h.writeProfile("map")
	return err
}

func (h *heldStream) Bucket(ctx context.Context, seq int, b *inventory.Bucket) error {
	err := h.Stream.Bucket(ctx, seq, b)
	if h.recorded.Add(1) == h.total {
		h.atEnd = heldByRun()
		h.writeProfile("end")
	}
	return err
}

// writeProfile writes the heap profile as of the last collection (which
// heldByRun has just made) into h.profile's directory, named after the
// size and moment.
func (h *heldStream) writeProfile(moment string) {
	if h.profile == "" {
		return
	}
	f, err := os.Create(fmt.Sprintf("%s-%s.pprof", h.profile, moment))
	if err != nil {
		return
	}
	defer func() { _ = f.Close() }()
	_ = pprof.Lookup("heap").WriteTo(f, 0)
}

func heldByRun() int64 {
	// The inventory's gzip writer (compress/flate) is the same at both
	// sizes, but created at the map only when the header overflows its
	// buffer: at 240 accounts, not at 40.
	return testutil.HeldHeap("github.com/hoofprint/hoofprint/emulator", "net/http.(*conn)", "compress/flate")
}

// BenchmarkHeldPerAccount measures what a whole `hoofprint scan` holds for
// each account of the organization: the scanner's organization map and
// per-account state, and the stream's (the rules' index of the map, the
// summary's and the findings' tallies, the inventory's and the reports'
// state). It scans generated organizations of 40 and 240 accounts (10
// buckets of 10 objects each) on the in-process emulator into a Stream
// writing the inventory, SARIF, ASFF and the terminal summary, as the ECS
// task does, and reports the heap held after a collection when the map is
// complete and when the last bucket has been recorded, the difference
// between the two sizes divided by 200. The heap is profiled finely, so
// that what the emulator holds can be left out by allocation site; it is
// slow. BENCHMARKS.md's scale figures show this doubled by the collector's
// heap goal. The figure at the last bucket moves by up to 2 KB from run
// to run (the findings held in memory at that moment): compare it over 2
// runs or more. Each size's emulator is closed and let go before the
// next: kept until the benchmark ends (t.Cleanup), what it leaves outside
// its own allocation sites changed the figure at the map by half. -heldprofiles DIR writes the heap profiles of both sizes
// at both moments, to compare with go tool pprof -diff_base.
//
//	go test ./pipeline -run '^$' -bench HeldPerAccount -benchtime 2x
func BenchmarkHeldPerAccount(b *testing.B) {
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	runtime.MemProfileRate = 256
	held := func(accounts int) (atMap, atEnd int64) {
		sc, err := scenario.Generate(scenario.GenOptions{Accounts: accounts, BucketsPerAccount: 10, ObjectsPerBucket: 10, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		emu, err := emulator.Start(b.Context(), sc, emulator.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = emu.Close() }()
		// The same requests in flight at both sizes, so that both keep
		// as many connections.
		base, err := awsclient.Load(b.Context(), awsclient.Options{
			EndpointURL: emu.URL(), Region: "us-east-1", RoleName: sc.MemberRoleName, MaxInFlight: 16,
			Credentials: credentials.StaticCredentialsProvider{Value: emu.CallerCredentials()},
		})
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		b.Setenv("TMPDIR", dir)
		st, err := pipeline.Start(b.Context(), pipeline.Options{
			InventoryPath: filepath.Join(dir, "inventory.json.gz"),
			SARIFPath:     filepath.Join(dir, "hoofprint.sarif"),
			ASFFPath:      filepath.Join(dir, "hoofprint.asff.json"),
			Summary:       io.Discard,
			// Both sizes spill, as a scan of hundreds of accounts does:
			// the findings held in memory are bounded, not per account.
			FindingsInMemory: 256,
		})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Abort()
		h := &heldStream{Stream: st, total: int64(accounts * 10)}
		if *heldProfiles != "" {
			h.profile = filepath.Join(*heldProfiles, fmt.Sprintf("held-%d", accounts))
		}
		inv, err := scanner.Scan(b.Context(), base, scanner.Options{Seed: 1, Sink: h})
		if err != nil {
			b.Fatal(err)
		}
		if got := h.recorded.Load(); got != h.total {
			b.Fatalf("%d accounts: %d buckets recorded, want %d", accounts, got, h.total)
		}
		if _, err := st.Finish(b.Context(), inv); err != nil && !isOutcome(err) {
			b.Fatal(err)
		}
		return h.atMap, h.atEnd
	}
	testutil.ReportHeldPerAccount(b, held)
}
