package deploy

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoofprint/hoofprint/internal/testutil"
)

// docBlock is one fenced block of docs/deploy.md with the section it is in.
type docBlock struct {
	lang, section, before, text string
}

// deployDoc returns docs/deploy.md and its fenced blocks, continuation
// lines joined.
func deployDoc(t *testing.T) (string, []docBlock) {
	t.Helper()
	b, err := os.ReadFile("../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	var blocks []docBlock
	section, before := "", ""
	var cur *docBlock
	for _, line := range strings.Split(doc, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(line, "## "):
			section, before = line, ""
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &docBlock{lang: strings.TrimPrefix(trimmed, "```"), section: section, before: before}
		case cur != nil && trimmed == "```":
			cur.text = strings.ReplaceAll(cur.text, "\\\n", " ")
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += trimmed + "\n"
		default:
			before += line + "\n"
		}
	}
	return doc, blocks
}

// templateParams returns a template's parameters and their AllowedValues.
func templateParams(t *testing.T, path string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	params := mapValue(templateDoc(t, path), "Parameters")
	for i := 0; i+1 < len(params.Content); i += 2 {
		var allowed []string
		if av := mapValue(params.Content[i+1], "AllowedValues"); av != nil {
			allowed = scalars(av)
		}
		out[params.Content[i].Value] = allowed
	}
	return out
}

func templateOutputs(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	o := mapValue(templateDoc(t, path), "Outputs")
	for i := 0; i+1 < len(o.Content); i += 2 {
		out = append(out, o.Content[i].Value)
	}
	return out
}

// checkParam fails when name is not a parameter of the template or value
// is not one of its AllowedValues.
func checkParam(t *testing.T, where, tmpl string, params map[string][]string, name, value string) {
	t.Helper()
	allowed, ok := params[name]
	switch {
	case !ok:
		t.Errorf("%s: docs/deploy.md passes %s, which %s does not have", where, name, tmpl)
	case len(allowed) > 0 && value != "" && !strings.HasPrefix(value, "$") && !strings.HasPrefix(value, `"$`) && !slices.Contains(allowed, strings.Trim(value, `"`)):
		t.Errorf("%s: docs/deploy.md sets %s=%s, but %s allows only %q", where, name, value, tmpl, allowed)
	}
}

// TestDeployDocWalksTheTemplates walks docs/deploy.md as a reader does:
// every block names the account it runs in; every stack parameter it
// passes or names exists in the template it goes to (with an allowed
// value); every stack output it reads exists; every hoofprint command and
// flag exists; and every AWS CLI command and option exists (aws help).
func TestDeployDocWalksTheTemplates(t *testing.T) {
	doc, blocks := deployDoc(t)
	scanner := templateParams(t, "cloudformation/scanner-account.yaml")
	member := templateParams(t, "cloudformation/member-role.yaml")
	batch := templateParams(t, "cloudformation/batch.yaml")
	templates := map[string]map[string][]string{"scanner-account.yaml": scanner, "member-role.yaml": member, "batch.yaml": batch}
	templateIn := regexp.MustCompile(`(scanner-account|member-role|batch)\.yaml`)

	t.Run("every block of commands says which account runs it", func(t *testing.T) {
		for _, b := range blocks {
			if b.lang != "sh" || !strings.Contains(b.text, "aws ") {
				continue
			}
			if !regexp.MustCompile(`(management|tooling) account`).MatchString(b.section + b.before) {
				t.Errorf("%s: a block of aws commands does not say which account runs it:\n%s", b.section, b.text)
			}
		}
	})

	t.Run("every stack parameter exists in its template", func(t *testing.T) {
		n := 0
		kv := regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*)=(\S*)$`)
		for _, b := range blocks {
			m := templateIn.FindString(b.text)
			if m == "" {
				continue
			}
			params := templates[m]
			switch b.lang {
			case "sh":
				for _, cmd := range strings.Split(b.text, "\n") {
					if _, over, ok := strings.Cut(cmd, "--parameter-overrides "); ok {
						for _, w := range strings.Fields(over) {
							if strings.HasPrefix(w, "--") {
								break
							}
							if g := kv.FindStringSubmatch(w); g != nil {
								checkParam(t, b.section, m, params, g[1], g[2])
								n++
							}
						}
					}
					for _, g := range regexp.MustCompile(`ParameterKey=([A-Za-z0-9]+),ParameterValue=(\S+)`).FindAllStringSubmatch(cmd, -1) {
						checkParam(t, b.section, m, params, g[1], g[2])
						n++
					}
				}
			case "hcl":
				for _, res := range strings.Split(b.text, "resource ")[1:] {
					tm := templateIn.FindString(res)
					_, body, ok := strings.Cut(res, "parameters = {")
					if tm == "" || !ok {
						continue
					}
					body, _, _ = strings.Cut(body, "}")
					for _, line := range strings.Split(body, "\n") {
						if name, val, ok := strings.Cut(line, "="); ok {
							val, _, _ = strings.Cut(strings.TrimSpace(val), " ")
							checkParam(t, b.section, tm, templates[tm], strings.TrimSpace(name), strings.Trim(val, `"`))
							n++
						}
					}
				}
			}
		}
		// Parameters named in the prose, `Name=value`.
		for _, g := range regexp.MustCompile("`([A-Z][a-z][A-Za-z0-9]+)=([^`\\s]*)`").FindAllStringSubmatch(doc, -1) {
			if _, ok := member[g[1]]; ok {
				checkParam(t, "prose", "member-role.yaml", member, g[1], g[2])
			} else {
				checkParam(t, "prose", "scanner-account.yaml", scanner, g[1], g[2])
			}
			n++
		}
		if n < 15 {
			t.Errorf("found only %d parameters in docs/deploy.md", n)
		}
	})

	t.Run("every stack output it reads exists", func(t *testing.T) {
		outputs := templateOutputs(t, "cloudformation/scanner-account.yaml")
		found := 0
		for _, re := range []string{`OutputKey=='([A-Za-z]+)'`, `<([A-Z][A-Za-z]+)>`, `outputs\["([A-Za-z]+)"\]`} {
			for _, g := range regexp.MustCompile(re).FindAllStringSubmatch(doc, -1) {
				found++
				if !slices.Contains(outputs, g[1]) {
					t.Errorf("docs/deploy.md reads stack output %s, which scanner-account.yaml does not have (it has %q)", g[1], outputs)
				}
			}
		}
		if found < 5 {
			t.Errorf("found only %d stack outputs named in docs/deploy.md", found)
		}
	})

	t.Run("every hoofprint command and flag exists", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "hoofprint")
		if b, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "../cmd/hoofprint").CombinedOutput(); err != nil {
			t.Fatalf("build: %v\n%s", err, b)
		}
		help := map[string]string{}
		cmdRE := regexp.MustCompile(`hoofprint((?: [a-z]+)+)((?: [^|\x60\n]*)?)`)
		n := 0
		for _, g := range cmdRE.FindAllStringSubmatch(doc, -1) {
			path := strings.Fields(g[1])
			// The subcommand path ends at the first word that is not one.
			for len(path) > 0 {
				h, ok := help[strings.Join(path, " ")]
				if !ok {
					out, err := exec.CommandContext(t.Context(), bin, append(slices.Clone(path), "--help")...).CombinedOutput()
					if err == nil && !strings.Contains(string(out), "Available Commands") || len(path) == 1 {
						h = string(out)
						if err != nil {
							h = ""
						}
						help[strings.Join(path, " ")] = h
						ok = true
					}
				}
				if ok {
					if h == "" && len(path) == 1 {
						break // "hoofprint finished", prose
					}
					break
				}
				path = path[:len(path)-1]
			}
			h := help[strings.Join(path, " ")]
			if h == "" || len(path) == 0 {
				continue
			}
			n++
			for _, f := range regexp.MustCompile(`(?:^|\s)(--[a-z][a-z-]*)`).FindAllStringSubmatch(g[2], -1) {
				if !strings.Contains(h, f[1]+" ") && !strings.Contains(h, f[1]+"[") {
					t.Errorf("docs/deploy.md runs hoofprint %s %s, which it does not have", strings.Join(path, " "), f[1])
				}
			}
		}
		if n < 3 {
			t.Errorf("found only %d hoofprint commands in docs/deploy.md", n)
		}
	})

	t.Run("every AWS CLI command and option exists", func(t *testing.T) {
		testutil.RequireTool(t, "aws", "pip install awscli")
		type use struct {
			service, op string
			options     []string
		}
		// AWS CLI v2 commands that v1 (what pip installs) lacks.
		v2only := map[string]bool{"logs tail": true}
		uses := map[string]*use{}
		cmdRE := regexp.MustCompile(`\baws ([a-z0-9-]+) ([a-z0-9-]+)([^\n)|;]*)`)
		for _, b := range blocks {
			if b.lang != "sh" {
				continue
			}
			for _, g := range cmdRE.FindAllStringSubmatch(b.text, -1) {
				k := g[1] + " " + g[2]
				u := uses[k]
				if u == nil {
					u = &use{service: g[1], op: g[2]}
					uses[k] = u
				}
				for _, o := range regexp.MustCompile(`(?:^|\s)(--[a-z][a-z0-9-]*)`).FindAllStringSubmatch(g[3], -1) {
					u.options = append(u.options, o[1])
				}
			}
		}
		if len(uses) < 10 {
			t.Fatalf("found only %d aws commands in docs/deploy.md", len(uses))
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, 4)
		var mu sync.Mutex
		for k, u := range uses {
			if v2only[k] {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, "aws", u.service, u.op, "help")
				cmd.Env = append(os.Environ(), "PAGER=cat", "MANPAGER=cat", "AWS_PAGER=")
				out, err := cmd.CombinedOutput()
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Errorf("docs/deploy.md runs aws %s, which the AWS CLI does not know: %v\n%.300s", k, err, out)
					return
				}
				for _, o := range u.options {
					if !strings.Contains(string(out), o) {
						t.Errorf("docs/deploy.md runs aws %s %s, an option it does not have", k, o)
					}
				}
			}()
		}
		wg.Wait()
	})
}
