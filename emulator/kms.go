package emulator

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// kmsKey is a KMS key and its key policy: a customer managed key, or
// (awsManaged) the account's AWS managed key for S3, aws/s3.
type kmsKey struct {
	ID, Account, Region, Policy string
	alias                       string // alias/NAME, or ""
	awsManaged                  bool
}

// managedS3Key is the AWS managed key aws/s3 of an account and region. Its
// ID is fixed by both, as a real one is once S3 has created it, and S3
// names it by this key ARN in HeadObject, never by its alias.
func managedS3Key(account, region string) *kmsKey {
	sum := sha256.Sum256([]byte("aws/s3|" + account + "|" + region))
	x := hex.EncodeToString(sum[:16])
	return &kmsKey{ID: x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32], Account: account, Region: region,
		Policy: scenario.ManagedS3KeyPolicy(account, region), awsManaged: true}
}

// lookupKey finds the key a KeyId names (key ID, key ARN, alias name or
// alias ARN) for the calling account in region, or nil.
func (e *Emulator) lookupKey(keyID, account, region string) *kmsKey {
	name := keyID
	if strings.HasPrefix(keyID, "arn:") {
		parts := strings.SplitN(keyID, ":", 6)
		if len(parts) < 6 {
			return nil
		}
		account, region, name = parts[4], parts[3], parts[5]
	}
	managed := managedS3Key(account, region)
	switch {
	case name == "alias/aws/s3", name == "key/"+managed.ID, name == managed.ID:
		return managed
	case strings.HasPrefix(name, "alias/"):
		for _, k := range e.st.kmsKeys {
			if k.alias == name && k.Account == account && k.Region == region {
				return k
			}
		}
		return nil
	}
	k := e.st.kmsKeys[strings.TrimPrefix(name, "key/")]
	if k == nil || k.Account != account || k.Region != region {
		return nil
	}
	return k
}

func (k *kmsKey) arn() string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", k.Region, k.Account, k.ID)
}

// routeKMS serves the AWS KMS (JSON 1.1, TrentService) calls hoofprint and
// scenario.Apply make: DescribeKey, GetKeyPolicy and CreateKey.
// https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html
func (e *Emulator) routeKMS(c *call) func() {
	prefix, op, _ := strings.Cut(c.r.Header.Get("X-Amz-Target"), ".")
	c.op = op
	if prefix != "TrentService" || c.r.Method != http.MethodPost {
		c.op = "Unknown"
		return nil
	}
	switch op {
	case "DescribeKey":
		return func() { e.describeKey(c) }
	case "GetKeyPolicy":
		return func() { e.getKeyPolicy(c) }
	case "CreateKey":
		c.write = true
		return func() { e.createKey(c) }
	}
	return nil
}

// key answers a KMS call's KeyId for the caller's own account only: a key
// policy that lets other accounts use the key is not modelled (real KMS
// would let a principal the policy names call these too).
// https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html
func (e *Emulator) key(c *call, keyID, action string) *kmsKey {
	if keyID == "" {
		c.fail(apiErr(400, "ValidationException", "KeyId is required"))
		return nil
	}
	if c.caller == nil {
		c.fail(apiErr(400, "AccessDeniedException", "User is not authorized to perform: kms:"+action+" on this resource"))
		return nil
	}
	k := e.lookupKey(keyID, c.caller.AccountID, c.region)
	if k == nil && strings.HasPrefix(keyID, "arn:") {
		// Another account's key, named by ARN: it exists or not, and
		// either way this caller may not use it.
		parts := strings.SplitN(keyID, ":", 6)
		if len(parts) == 6 && parts[4] != c.caller.AccountID {
			if e.lookupKey(keyID, parts[4], parts[3]) != nil {
				c.fail(apiErr(400, "AccessDeniedException", "User is not authorized to perform: kms:"+action+" on this resource"))
				return nil
			}
		}
	}
	if k == nil || (c.region != "" && c.region != k.Region) {
		c.fail(apiErr(400, "NotFoundException", fmt.Sprintf("Key '%s' does not exist", keyID)))
		return nil
	}
	return k
}

func (e *Emulator) describeKey(c *call) {
	var in struct{ KeyId string }
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.fail(apiErr(400, "ValidationException", "request body is not JSON"))
		return
	}
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	k := e.key(c, in.KeyId, "DescribeKey")
	if k == nil {
		return
	}
	manager := "CUSTOMER"
	if k.awsManaged {
		manager = "AWS"
	}
	c.okJSON(200, map[string]any{"KeyMetadata": map[string]any{"KeyId": k.ID, "Arn": k.arn(), "AWSAccountId": k.Account,
		"KeyManager": manager, "Enabled": true, "KeyState": "Enabled", "KeyUsage": "ENCRYPT_DECRYPT"}})
}

// getKeyPolicy takes a key ID or key ARN, not an alias, as KMS does.
func (e *Emulator) getKeyPolicy(c *call) {
	var in struct{ KeyId, PolicyName string }
	if err := json.Unmarshal(c.body, &in); err != nil {
		c.fail(apiErr(400, "ValidationException", "request body is not JSON"))
		return
	}
	if strings.HasPrefix(in.KeyId, "alias/") || strings.Contains(in.KeyId, ":alias/") {
		c.fail(apiErr(400, "NotFoundException", fmt.Sprintf("Key '%s' does not exist", in.KeyId)))
		return
	}
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	k := e.key(c, in.KeyId, "GetKeyPolicy")
	if k == nil {
		return
	}
	if in.PolicyName != "" && in.PolicyName != "default" {
		c.fail(apiErr(400, "NotFoundException", "No such policy exists"))
		return
	}
	c.okJSON(200, map[string]any{"Policy": k.Policy, "PolicyName": "default"})
}

func (e *Emulator) createKey(c *call) {
	var in struct{ Policy, Description string }
	_ = json.Unmarshal(c.body, &in)
	if c.caller == nil {
		c.fail(accessDenied("Access Denied"))
		return
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	x := hex.EncodeToString(b[:])
	k := &kmsKey{ID: x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32], Account: c.caller.AccountID, Region: c.region, Policy: in.Policy}
	if k.Policy == "" {
		k.Policy = scenario.DefaultKeyPolicy(k.Account)
	}
	e.st.mu.Lock()
	e.st.kmsKeys[k.ID] = k
	e.st.mu.Unlock()
	c.okJSON(200, map[string]any{"KeyMetadata": map[string]any{"KeyId": k.ID, "Arn": k.arn(), "AWSAccountId": k.Account, "KeyManager": "CUSTOMER", "Enabled": true, "KeyState": "Enabled", "Description": in.Description}})
}
