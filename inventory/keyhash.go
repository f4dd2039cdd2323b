package inventory

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"sync"
)

// Key hashing algorithms recorded in Snapshot.KeyHashing.
const (
	// KeyHashHMAC is HMAC-SHA256(secret, bucket + "/" + key), cut to 128
	// bits and written "hmac:" + 32 hex digits. Without the secret, a list
	// of likely names (patients, MRNs) cannot be hashed and compared.
	KeyHashHMAC = "hmac-sha256"
	// KeyHashUnkeyed is the unkeyed "sha256:" + 16 hex digits of
	// SHA-256(bucket + "/" + key) that inventories made before keyed hashing
	// carry, and that a zero KeyHasher still gives (tests). It can be
	// reversed with a list of likely keys: the CLI never uses it.
	KeyHashUnkeyed = "sha256-unkeyed"
)

// KeyHashing says how the object keys of a snapshot were hashed.
type KeyHashing struct {
	Algorithm string `json:"algorithm"`
	// SecretID identifies the secret (KeyHasher.SecretID), never the
	// secret itself, so that an evaluation with another secret can say so.
	SecretID string `json:"secretId,omitempty"`
}

// KeyHasher turns an object key into the stable identity that inventories
// and reports hold instead of the key. The zero value is the unkeyed
// legacy hash; NewKeyHasher gives the keyed one.
type KeyHasher struct {
	secret []byte
	// macs holds keyed HMACs (*keyMAC) for reuse, shared by the copies of
	// the hasher: a scan hashes every sampled key, and a new HMAC is two
	// SHA-256 states and two padded keys, about 1.5% of all a scan
	// allocated.
	macs *sync.Pool
}

// keyMAC is a keyed HMAC and the buffer its input is written into.
type keyMAC struct {
	mac hash.Hash
	in  []byte
	sum [sha256.Size]byte
}

// NewKeyHasher returns a hasher keyed with secret (the deployment's key
// secret: --key-secret-file, HOOFPRINT_KEY_SECRET or the local default).
// It is safe for concurrent use.
func NewKeyHasher(secret []byte) KeyHasher {
	key := append([]byte(nil), secret...)
	return KeyHasher{secret: key, macs: &sync.Pool{New: func() any {
		return &keyMAC{mac: hmac.New(sha256.New, key)}
	}}}
}

// Keyed reports whether h uses a secret.
func (h KeyHasher) Keyed() bool { return len(h.secret) > 0 }

// Hash returns the identity of key in bucket. The bucket name is part of
// the input so that one common key name does not give the same hash in
// every bucket.
func (h KeyHasher) Hash(bucket, key string) string {
	if !h.Keyed() {
		return HashKey(bucket, key)
	}
	m := h.macs.Get().(*keyMAC)
	defer h.macs.Put(m)
	m.mac.Reset()
	m.in = append(append(append(m.in[:0], bucket...), '/'), key...)
	m.mac.Write(m.in)
	var out [len("hmac:") + 32]byte
	copy(out[:], "hmac:")
	hex.Encode(out[len("hmac:"):], m.mac.Sum(m.sum[:0])[:16])
	return string(out[:])
}

// IsKeyHash says whether s has the form Hash gives with a secret: "hmac:"
// and 32 lower-case hex digits.
func IsKeyHash(s string) bool {
	d, ok := strings.CutPrefix(s, "hmac:")
	return ok && len(d) == 32 && strings.Trim(d, "0123456789abcdef") == ""
}

// SecretID is a short public identity of the secret: "sha256:" + 16 hex
// digits of SHA-256 over a fixed label and the secret. It says whether two
// runs used the same secret and reveals nothing about it.
func (h KeyHasher) SecretID() string {
	if !h.Keyed() {
		return ""
	}
	sum := sha256.Sum256(append([]byte("hoofprint key secret id\x00"), h.secret...))
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// Describe is what a snapshot records about h.
func (h KeyHasher) Describe() *KeyHashing {
	if !h.Keyed() {
		return &KeyHashing{Algorithm: KeyHashUnkeyed}
	}
	return &KeyHashing{Algorithm: KeyHashHMAC, SecretID: h.SecretID()}
}

// WithoutKeys returns s with ShowObjectKeys false and every object key
// removed (the hashes stay), sharing nothing mutable with s. Reports made
// without --show-object-keys evaluate this, so that no rule, message or
// report can show a key that an inventory made with --show-object-keys
// still holds.
func WithoutKeys(s *Snapshot) *Snapshot {
	if !s.ShowObjectKeys {
		return s
	}
	cp := *s
	cp.ShowObjectKeys = false
	cp.Buckets = make([]Bucket, len(s.Buckets))
	for i := range s.Buckets {
		cp.Buckets[i] = *BucketWithoutKeys(&s.Buckets[i])
	}
	return &cp
}

// BucketWithoutKeys returns b, or a copy of it without object keys when
// any object has one.
func BucketWithoutKeys(b *Bucket) *Bucket {
	has := false
	for _, o := range b.Objects.Objects {
		if o.Key != "" {
			has = true
			break
		}
	}
	if !has {
		return b
	}
	cp := *b
	objs := make([]Object, len(b.Objects.Objects))
	for j, o := range b.Objects.Objects {
		o.Key = ""
		objs[j] = o
	}
	cp.Objects.Objects = objs
	return &cp
}

// MinPrefixKeys is how many listed keys of a bucket must share a first
// path segment for it to be shown (ShowablePrefix).
const MinPrefixKeys = 10

// ShowablePrefix is the rule that decides whether a key's first path
// segment ("static/") may appear in inventories and reports, or is
// replaced by its keyed hash (HashPrefix). A segment is shown only when
// all of these hold:
//
//   - at least MinPrefixKeys listed keys of the bucket begin with it: a
//     folder many objects share, not one person's file;
//   - it is at most 40 characters;
//   - it holds only ASCII letters, '-', '_', '.' and digits that stand
//     alone: no run of two or more digits (a date of birth, an MRN, a
//     phone number), no space (a "First Last" name), no '@', no other
//     punctuation.
//
// The rule errs towards hiding: a structural folder with a year in it
// ("2024/") is hashed too. What it cannot tell is a single person's name
// written as one word shared by MinPrefixKeys objects ("janedoe/"); such a
// bucket layout is named in docs/security.md.
func ShowablePrefix(prefix string, listed int) bool {
	seg := strings.TrimSuffix(prefix, "/")
	if seg == "" || listed < MinPrefixKeys || len(seg) > 40 {
		return false
	}
	prevDigit := false
	for _, c := range seg {
		isDigit := c >= '0' && c <= '9'
		switch {
		case isDigit && prevDigit:
			return false
		case isDigit, c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_', c == '.':
		default:
			return false
		}
		prevDigit = isDigit
	}
	return true
}

// HashPrefix is what replaces a first path segment that ShowablePrefix
// refuses: "hmac:" + 12 hex digits of the keyed hash + "/", the same for
// every key under it, so objects still group by folder.
func (h KeyHasher) HashPrefix(bucket, prefix string) string {
	full := h.Hash(bucket, "\x00prefix\x00"+prefix)
	algo, digits, _ := strings.Cut(full, ":")
	return algo + ":" + digits[:12] + "/"
}
