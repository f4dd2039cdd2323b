package inventory

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestKeyHasherHash holds Hash to its definition, HMAC-SHA256(secret,
// bucket + "/" + key) cut to 128 bits, with its reused HMACs hashing
// concurrently: an inventory hashed before and one hashed after must agree.
func TestKeyHasherHash(t *testing.T) {
	secret := []byte("0123456789abcdef")
	h := NewKeyHasher(secret)
	want := func(bucket, key string) string {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(bucket + "/" + key))
		return "hmac:" + hex.EncodeToString(m.Sum(nil)[:16])
	}
	long := strings.Repeat("patients/Jane Doe/", 100)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				bucket, key := fmt.Sprintf("bucket-%d", g), fmt.Sprintf("k%d", i)
				if i%50 == 0 {
					key = long + key
				}
				if got, w := h.Hash(bucket, key), want(bucket, key); got != w {
					t.Errorf("Hash(%q, %q) = %q, want %q", bucket, key, got, w)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkKeyHasherHash(b *testing.B) {
	h := NewKeyHasher([]byte("0123456789abcdef"))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = h.Hash("healthcorp-prod-site", "static/js/app.0123456789.js")
	}
}

// IsKeyHash accepts what Hash gives with a secret, and nothing else.
func TestIsKeyHashMatchesWhatHashGives(t *testing.T) {
	h := NewKeyHasher([]byte("0123456789abcdef0123456789abcdef"))
	if got := h.Hash("b", "patients/x.pdf"); !IsKeyHash(got) {
		t.Errorf("IsKeyHash(%q) = false for a hash Hash gave", got)
	}
	for _, s := range []string{"", "hmac:", "hmac:zz", "hmac:" + strings.Repeat("A", 32), "sha256:" + strings.Repeat("0", 16), "hmac:" + strings.Repeat("0", 12) + "/"} {
		if IsKeyHash(s) {
			t.Errorf("IsKeyHash(%q) = true", s)
		}
	}
}
