package inventory

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
}

// NewKeyHasher returns a hasher keyed with secret (the deployment's key
// secret: --key-secret-file, HOOFPRINT_KEY_SECRET or the local default).
func NewKeyHasher(secret []byte) KeyHasher {
	return KeyHasher{secret: append([]byte(nil), secret...)}
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
	m := hmac.New(sha256.New, h.secret)
	m.Write([]byte(bucket + "/" + key))
	return "hmac:" + hex.EncodeToString(m.Sum(nil)[:16])
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
