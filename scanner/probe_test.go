package scanner_test

import (
	"strings"
	"testing"

	"github.com/hoofprint/hoofprint/emulator"
	"github.com/hoofprint/hoofprint/emulator/scenario"
	"github.com/hoofprint/hoofprint/inventory"
	"github.com/hoofprint/hoofprint/scanner"
)

// probed returns each sampled object's key and anonymous HEAD status
// (-1: not probed).
func probed(b inventory.Bucket) map[string]int {
	out := map[string]int{}
	for _, o := range b.Objects.Objects {
		out[o.Key] = -1
		if o.AnonymousHead != nil {
			out[o.Key] = o.AnonymousHead.Status
		}
	}
	return out
}

// TestAnonymousProbeSeesWhatAnOutsiderSees: the vendor's public-read upload
// into HealthCorp's prod lab bucket (Block Public Access off) has an ACL the
// bucket owner may not read; one unsigned HEAD shows it is readable by
// anyone, and its private sibling is not. Objects that cannot be public
// (Block Public Access on, a private ACL that was read, no open policy) are
// not probed at all, and the probes are unsigned, counted and on the wire.
func TestAnonymousProbeSeesWhatAnOutsiderSees(t *testing.T) {
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{})
	base := emulatorBase(t, emu, sc.MemberRoleName)
	snap := scanWith(t, base, scanner.Options{Seed: 1, ShowObjectKeys: true})
	if !snap.AnonymousProbe {
		t.Error("the snapshot does not say the probe ran")
	}

	lab := bucket(t, snap, "healthcorp-prod-lab-inbound")
	got := probed(lab)
	want := map[string]int{"inbound/lab-results.csv": 200, "inbound/lab-results-2019-06.csv": 403, "README.txt": -1}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("lab inbound %s: probe %d, want %d (all: %v)", k, got[k], w, got)
		}
	}
	for _, o := range lab.Objects.Objects {
		if o.Key == "inbound/lab-results.csv" {
			if o.ACLStatus != inventory.ACLStatusDeniedForeignOwner {
				t.Errorf("the vendor's ACL was readable (%s): the case is not the hidden-ACL one", o.ACLStatus)
			}
			if o.AnonymousHead.At.IsZero() {
				t.Error("the probe has no time")
			}
		}
	}
	if lab.Objects.AnonymousProbes != 2 || lab.Objects.AnonymousReadable != 1 {
		t.Errorf("lab inbound counters: %d probes, %d readable", lab.Objects.AnonymousProbes, lab.Objects.AnonymousReadable)
	}
	// Block Public Access on: nothing to ask.
	for k, s := range probed(bucket(t, snap, "healthcorp-prod-site")) {
		if s != -1 {
			t.Errorf("prod site %s probed (%d) under IgnorePublicAcls", k, s)
		}
	}
	// dev: public-read objects verified; the scratch bucket's policy too.
	for k, s := range probed(bucket(t, snap, "healthcorp-dev-site")) {
		if s != 200 {
			t.Errorf("dev site %s: probe %d, want 200 (public-read, BPA off)", k, s)
		}
	}
	if b := bucket(t, snap, "healthcorp-dev-scratch"); b.Objects.AnonymousReadableByPolicy == 0 {
		t.Errorf("dev scratch: the public policy was not verified: %+v", probed(b))
	}

	var anonymous, anonymousHeads int
	for k, n := range emu.Requests() {
		if k.Account == "" {
			anonymous += n
			if k.Service == "s3" && k.Operation == "HeadObject" {
				anonymousHeads += n
			}
		}
	}
	total := 0
	for _, b := range snap.Buckets {
		total += b.Objects.AnonymousProbes
	}
	if anonymous != anonymousHeads || anonymousHeads != total || total == 0 {
		t.Errorf("wire: %d anonymous requests, %d anonymous HEADs; snapshot: %d probes", anonymous, anonymousHeads, total)
	}
	t.Logf("anonymous probe: %d unsigned HEADs for %d buckets (%d requests in all)", total, len(snap.Buckets), base.Limiter.Requests())
	if base.Limiter.Requests() < int64(total) {
		t.Errorf("the limiter counted %d requests, fewer than the %d probes: probes bypass --concurrency", base.Limiter.Requests(), total)
	}
}

func TestNoAnonymousProbeSendsNothingUnsigned(t *testing.T) {
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{})
	snap := scanWith(t, emulatorBase(t, emu, sc.MemberRoleName), scanner.Options{Seed: 1, NoAnonymousProbe: true})
	if snap.AnonymousProbe {
		t.Error("the snapshot says the probe ran")
	}
	for k, n := range emu.Requests() {
		if k.Account == "" {
			t.Errorf("%d anonymous %s %s requests with the probe off", n, k.Service, k.Operation)
		}
	}
	for _, b := range snap.Buckets {
		for _, o := range b.Objects.Objects {
			if o.AnonymousHead != nil {
				t.Errorf("%s/%s probed", b.Name, o.KeyHash)
			}
		}
	}
}

// TestAProbeThatGetsNoAnswerIsRecordedNotFatal: an unsigned HEAD that fails
// (here the emulator's injected 500s past the retries) is evidence of
// nothing: it keeps no 200 and the scan goes on.
func TestAProbeThatGetsNoAnswerIsRecordedNotFatal(t *testing.T) {
	sc := scenario.HealthCorp()
	emu := startEmulator(t, sc, emulator.Options{Faults: []emulator.FaultRule{{Service: "s3", Operation: "HeadObject", ErrorRate: 1}}})
	snap := scanWith(t, emulatorBase(t, emu, sc.MemberRoleName), scanner.Options{Seed: 1, ShowObjectKeys: true})
	for _, o := range bucket(t, snap, "healthcorp-prod-lab-inbound").Objects.Objects {
		if strings.HasPrefix(o.Key, "inbound/") && (o.AnonymousHead == nil || o.AnonymousHead.Status != 500) {
			t.Errorf("%s: %+v, want the 500 recorded", o.Key, o.AnonymousHead)
		}
	}
}
