package emulator

import (
	"net/http"
	"sync"
	"testing"

	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// t.Context ends just before cleanups run, so the context watcher and a
// cleanup's Close race; neither may panic and the server must stop.
func TestCloseFromSeveralGoroutinesAtOnceStopsTheServerOnce(t *testing.T) {
	e, err := Start(t.Context(), scenario.HealthCorp(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := e.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	wg.Wait()
	if resp, err := http.Get(e.URL()); err == nil {
		_ = resp.Body.Close()
		t.Errorf("the server still answers after Close (HTTP %d)", resp.StatusCode)
	}
}
