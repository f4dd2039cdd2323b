package motoserver

import (
	"net/http"
	"testing"
)

func TestStartAnswersAndStops(t *testing.T) {
	s := Start(t)
	resp, err := http.Get(s.URL + "/moto-api/")
	if err != nil {
		t.Fatalf("moto did not answer: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("moto answered HTTP %d, want 200", resp.StatusCode)
	}
	s.Reset(t)
}
