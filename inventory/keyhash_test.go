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
