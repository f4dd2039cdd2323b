package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hoofprint/hoofprint/emulator/scenario"
)

// kmsKey is a customer managed KMS key and its key policy.
type kmsKey struct {
	ID, Account, Region, Policy string
}

func (k *kmsKey) arn() string {
	return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", k.Region, k.Account, k.ID)
}

// routeKMS serves the AWS KMS (JSON 1.1, TrentService) calls hoofprint and
// scenario.Apply make: GetKeyPolicy and CreateKey.
// https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html
func (e *Emulator) routeKMS(c *call) func() {
	prefix, op, _ := strings.Cut(c.r.Header.Get("X-Amz-Target"), ".")
	c.op = op
	if prefix != "TrentService" || c.r.Method != http.MethodPost {
		c.op = "Unknown"
		return nil
	}
	switch op {
	case "GetKeyPolicy":
		return func() { e.getKeyPolicy(c) }
	case "CreateKey":
		c.write = true
		return func() { e.createKey(c) }
	}
	return nil
}

// getKeyPolicy answers the key's own account only: a key policy that lets
// other accounts read it is not modelled (real KMS would let a principal
// the policy names call GetKeyPolicy too).
func (e *Emulator) getKeyPolicy(c *call) {
	var in struct{ KeyId, PolicyName string }
	if err := json.Unmarshal(c.body, &in); err != nil || in.KeyId == "" {
		c.fail(apiErr(400, "ValidationException", "KeyId is required"))
		return
	}
	e.st.mu.RLock()
	defer e.st.mu.RUnlock()
	id := in.KeyId[strings.LastIndex(in.KeyId, "/")+1:]
	k := e.st.kmsKeys[id]
	if k == nil || (strings.HasPrefix(in.KeyId, "arn:") && in.KeyId != k.arn()) || (c.region != "" && c.region != k.Region) {
		c.fail(apiErr(400, "NotFoundException", fmt.Sprintf("Key '%s' does not exist", in.KeyId)))
		return
	}
	if c.caller == nil || c.caller.AccountID != k.Account {
		c.fail(apiErr(400, "AccessDeniedException", "User is not authorized to perform: kms:GetKeyPolicy on this resource"))
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
