package deploy

import (
	"bufio"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hoofprint/hoofprint/internal/testutil"
)

// No Docker engine runs in CI, so these tests prove the image's premise
// instead: the binary the Dockerfile builds (same script, same flags) is
// static and runs `version` and `demo` in a root that holds only itself,
// the CA certificates and /tmp, as the image's non-root user, in the
// image's working directory, with the image's default command.

// dockerfile is what the tests need from ../Dockerfile.
type dockerfile struct {
	stages     []stage
	entrypoint []string
	cmd        []string
	user       string
	workdir    string
	volumes    []string
}

type stage struct {
	from     string
	platform string // FROM --platform=...
	runs     []string
	// args are the stage's ARG declarations: name -> default value, nil
	// when declared without one.
	args map[string]*string
}

// parseDockerfile reads the instructions the tests rely on; continuation
// lines are joined and comments dropped.
func parseDockerfile(t *testing.T, path string) dockerfile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var d dockerfile
	var lines []string
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		if s, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(line)
		lines = append(lines, cur.String())
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		instr, rest, _ := strings.Cut(l, " ")
		rest = strings.TrimSpace(rest)
		switch strings.ToUpper(instr) {
		case "FROM":
			fields := strings.Fields(rest)
			st := stage{args: map[string]*string{}}
			for _, fl := range fields {
				if p, ok := strings.CutPrefix(fl, "--platform="); ok {
					st.platform = p
					continue
				}
				if !strings.HasPrefix(fl, "--") {
					st.from = fl
					break
				}
			}
			d.stages = append(d.stages, st)
		case "ARG":
			if len(d.stages) == 0 {
				continue // a global ARG, for FROM lines only
			}
			for _, a := range strings.Fields(rest) {
				name, def, hasDefault := strings.Cut(a, "=")
				if hasDefault {
					d.stages[len(d.stages)-1].args[name] = &def
				} else {
					d.stages[len(d.stages)-1].args[name] = nil
				}
			}
		case "VOLUME":
			var vs []string
			if strings.HasPrefix(rest, "[") {
				if err := json.Unmarshal([]byte(rest), &vs); err != nil {
					t.Fatalf("Dockerfile: VOLUME %s: %v", rest, err)
				}
			} else {
				vs = strings.Fields(rest)
			}
			d.volumes = append(d.volumes, vs...)
		case "RUN":
			if len(d.stages) == 0 {
				t.Fatalf("Dockerfile: RUN before FROM")
			}
			d.stages[len(d.stages)-1].runs = append(d.stages[len(d.stages)-1].runs, rest)
		case "ENTRYPOINT":
			if err := json.Unmarshal([]byte(rest), &d.entrypoint); err != nil {
				t.Fatalf("Dockerfile: ENTRYPOINT must be exec form (JSON array): %v", err)
			}
		case "CMD":
			if err := json.Unmarshal([]byte(rest), &d.cmd); err != nil {
				t.Fatalf("Dockerfile: CMD must be exec form (JSON array): %v", err)
			}
		case "USER":
			d.user = rest
		case "WORKDIR":
			d.workdir = rest
		}
	}
	return d
}

func TestDockerfileBuildsAStaticNonRootImage(t *testing.T) {
	d := parseDockerfile(t, "../Dockerfile")
	if len(d.stages) < 2 {
		t.Fatalf("want a multi-stage build, got %d stage(s)", len(d.stages))
	}
	builder, final := d.stages[0], d.stages[len(d.stages)-1]
	t.Run("the builder builds with scripts/build.sh, the script this test runs", func(t *testing.T) {
		if !strings.HasPrefix(builder.from, "golang:1.26") {
			t.Errorf("builder FROM %q, want golang:1.26 (go.mod's Go)", builder.from)
		}
		if !slices.ContainsFunc(builder.runs, func(r string) bool { return strings.Contains(r, "scripts/build.sh") }) {
			t.Errorf("no builder RUN calls scripts/build.sh: %q", builder.runs)
		}
	})
	t.Run("the runtime is distroless static or scratch and runs no shell", func(t *testing.T) {
		if final.from != "scratch" && !strings.HasPrefix(final.from, "gcr.io/distroless/static") {
			t.Errorf("runtime FROM %q", final.from)
		}
		if len(final.runs) != 0 {
			t.Errorf("the runtime stage has RUN %q, but it has no shell", final.runs)
		}
	})
	t.Run("the image runs as a numeric non-root user", func(t *testing.T) {
		uid, _, _ := strings.Cut(d.user, ":")
		if n, err := strconv.Atoi(uid); err != nil || n == 0 {
			t.Errorf("USER %q, want a numeric non-zero UID", d.user)
		}
	})
	t.Run("the entrypoint is the binary and the default command is the demo", func(t *testing.T) {
		if !slices.Equal(d.entrypoint, []string{"/hoofprint"}) || !slices.Equal(d.cmd, []string{"demo"}) {
			t.Errorf("ENTRYPOINT %q CMD %q", d.entrypoint, d.cmd)
		}
	})
	script, err := os.ReadFile("../scripts/build.sh")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the build script disables cgo, trims paths and stamps version, commit and date", func(t *testing.T) {
		for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-X main.version=", "-X main.commit=", "-X main.date=", "./cmd/hoofprint"} {
			if !strings.Contains(string(script), want) {
				t.Errorf("scripts/build.sh lacks %q", want)
			}
		}
	})
}

// buildLikeTheImage runs scripts/build.sh as the Dockerfile does.
func buildLikeTheImage(t *testing.T, out string, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "../scripts/build.sh", out)
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build.sh: %v\n%s", err, b)
	}
}

// emptyRoot is a directory holding only a binary, the CA certificates and
// the task's /tmp mount as ECS makes it for the image d describes.
func emptyRoot(t *testing.T, bin string, d dockerfile) string {
	t.Helper()
	root := t.TempDir()
	// The non-root user must be able to traverse the root once inside it,
	// and (the task's root filesystem is read-only) not write to it.
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, bin, filepath.Join(root, "hoofprint"), 0o755)
	ca := "/etc/ssl/certs/ca-certificates.crt"
	if _, err := os.Stat(ca); err != nil {
		testutil.SkipOrFail(t, "no CA bundle at "+ca+" to put in the root (apt-get install ca-certificates)")
	}
	if err := os.MkdirAll(filepath.Join(root, "etc/ssl/certs"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, ca, filepath.Join(root, "etc/ssl/certs/ca-certificates.crt"), 0o644)
	for _, p := range taskMountPaths(t) {
		ecsBindMount(t, root, p, d)
	}
	return root
}

// imageDirModes are the modes of the base image's directories a task may
// mount over. distroless ships /tmp as root:root 1777
// (GoogleContainerTools/distroless common/BUILD.bazel, tar "tmp").
var imageDirModes = map[string]os.FileMode{"/tmp": 0o1777}

// ecsBindMount creates the task's bind mount at path inside root the way
// ECS does on Fargate: "By default, the volume permissions are set to 0755
// and the owner as root", unless the image declares a VOLUME at the mount's
// container path, in which case the mount takes the image's directory
// (owner, mode and contents). ("Use bind mounts with Amazon ECS" and "Bind
// mount examples for Amazon ECS", Amazon ECS Developer Guide.)
func ecsBindMount(t *testing.T, root, path string, d dockerfile) {
	t.Helper()
	mode := os.FileMode(0o755)
	if os.Geteuid() != 0 {
		// Without root the directory is owned by the user the test maps to
		// the image's user, so 0755 would let it write; 0555 denies it the
		// way a root-owned 0755 directory does.
		mode = 0o555
	}
	if slices.Contains(d.volumes, path) {
		m, ok := imageDirModes[path]
		if !ok {
			t.Fatalf("the image declares VOLUME %s, but this test does not know the base image's mode for it (add it to imageDirModes)", path)
		}
		mode = m
	}
	dir := filepath.Join(root, strings.TrimPrefix(path, "/"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}

// taskMountPaths returns the container paths the scanner task mounts.
func taskMountPaths(t *testing.T) []string {
	t.Helper()
	defs := mapValue(mapValue(resource(t, "cloudformation/scanner-account.yaml", "TaskDefinition"), "Properties"), "ContainerDefinitions")
	if defs == nil || len(defs.Content) != 1 {
		t.Fatal("the scanner task definition should have exactly one container")
	}
	var paths []string
	if mps := mapValue(defs.Content[0], "MountPoints"); mps != nil {
		for _, mp := range mps.Content {
			if p := mapValue(mp, "ContainerPath"); p != nil {
				paths = append(paths, p.Value)
			}
		}
	}
	if len(paths) == 0 {
		t.Fatal("the scanner task mounts nothing: with a read-only root filesystem it has nowhere to write its reports")
	}
	return paths
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
}

// runInRoot runs /hoofprint (or another binary at path inside root) chrooted
// into root as uid:gid in workdir, with an environment like the image's
// (nothing inherited: no SSL_CERT_FILE, no AWS variables). As root it
// chroots directly; otherwise it maps uid into a new user namespace, the
// equivalent of `unshare -r`.
func runInRoot(t *testing.T, root string, uid, gid int, workdir, path string, args ...string) (string, int) {
	t.Helper()
	if runtime.GOOS != "linux" {
		testutil.SkipOrFail(t, "the empty-root test needs Linux (chroot)")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = workdir
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "TZ=UTC"}
	attr := &syscall.SysProcAttr{
		Chroot:     root,
		Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}},
		Pdeathsig:  syscall.SIGKILL,
	}
	if os.Geteuid() != 0 {
		attr.Cloneflags = syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: os.Geteuid(), Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: gid, HostID: os.Getegid(), Size: 1}}
		attr.GidMappingsEnableSetgroups = false
		attr.Credential.Groups = nil
		attr.Credential.NoSetGroups = true
	}
	cmd.SysProcAttr = attr
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee) && ee.Exited():
		return out.String(), ee.ExitCode()
	case os.Geteuid() != 0 && (errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL)):
		testutil.SkipOrFail(t, "not root and user namespaces are not allowed here: "+err.Error())
	}
	t.Fatalf("run %s %q in the empty root: %v\n%s", path, args, err, out.String())
	return "", -1
}

// imageUser returns the Dockerfile's USER as numbers.
func imageUser(t *testing.T, d dockerfile) (int, int) {
	t.Helper()
	u, g, ok := strings.Cut(d.user, ":")
	if !ok {
		g = u
	}
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if err1 != nil || err2 != nil {
		t.Fatalf("Dockerfile USER %q is not numeric uid:gid", d.user)
	}
	return uid, gid
}

func buildProbe(t *testing.T) string {
	t.Helper()
	probe := filepath.Join(t.TempDir(), "probe")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-trimpath", "-o", probe, "./testdata/probe")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build probe: %v\n%s", err, b)
	}
	return probe
}

func TestEmptyRootOffersNoShellNoLibcButCACertificates(t *testing.T) {
	d := parseDockerfile(t, "../Dockerfile")
	uid, gid := imageUser(t, d)
	probe := buildProbe(t)
	root := emptyRoot(t, probe, d)
	out, code := runInRoot(t, root, uid, gid, d.workdir, "/hoofprint")
	if code != 0 {
		t.Fatalf("probe exited %d: %s", code, out)
	}
	var got struct {
		UID         int  `json:"uid"`
		CACerts     int  `json:"caCerts"`
		Shell       bool `json:"shell"`
		Libc        bool `json:"libc"`
		TmpWritable bool `json:"tmpWritable"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("probe output %q: %v", out, err)
	}
	if got.UID != uid || got.CACerts == 0 || got.Shell || got.Libc || !got.TmpWritable {
		t.Errorf("empty root as seen from inside: %+v, want uid %d, CA certificates, no shell, no libc, writable /tmp", got, uid)
	}
}

func TestStaticBinaryRunsVersionAndDemoInAnEmptyRoot(t *testing.T) {
	d := parseDockerfile(t, "../Dockerfile")
	uid, gid := imageUser(t, d)
	bin := filepath.Join(t.TempDir(), "hoofprint")
	const version, commit, date = "v0.0.0-emptyroot", "c0ffee1", "2026-11-27T00:00:00Z"
	buildLikeTheImage(t, bin, "VERSION="+version, "COMMIT="+commit, "DATE="+date)

	t.Run("the binary has no interpreter and no dynamic section", func(t *testing.T) {
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = f.Close() }()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
				t.Errorf("program header %v: the binary is dynamically linked", p.Type)
			}
		}
		if s := f.Section(".dynamic"); s != nil {
			t.Errorf("the binary has a .dynamic section")
		}
		if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
			t.Errorf("the binary imports %q", libs)
		}
	})

	root := emptyRoot(t, bin, d)

	t.Run("version prints the stamped version, commit and date", func(t *testing.T) {
		out, code := runInRoot(t, root, uid, gid, d.workdir, d.entrypoint[0], "version")
		if code != 0 {
			t.Fatalf("version exited %d: %s", code, out)
		}
		for _, want := range []string{version, commit, date} {
			if !strings.Contains(out, want) {
				t.Errorf("version output %q lacks %q", out, want)
			}
		}
	})

	t.Run("demo writes its reports inside the root", func(t *testing.T) {
		out, code := runInRoot(t, root, uid, gid, d.workdir, d.entrypoint[0], "demo", "--out", "/tmp/reports", "--log-format", "json")
		if code != 0 {
			t.Fatalf("demo exited %d:\n%s", code, out)
		}
		checkSARIF(t, filepath.Join(root, "tmp/reports/hoofprint.sarif"))
		for _, name := range []string{"hoofprint.asff.json", "inventory.json"} {
			if st, err := os.Stat(filepath.Join(root, "tmp/reports", name)); err != nil || st.Size() == 0 {
				t.Errorf("demo did not write %s in the root: %v", name, err)
			}
		}
	})

	t.Run("the last JSON log line is the run summary the alarms' metric filters read", func(t *testing.T) {
		out, code := runInRoot(t, root, uid, gid, d.workdir, d.entrypoint[0], "demo", "--out", "/tmp/reports-json", "--log-format", "json")
		var last map[string]any
		for _, line := range strings.Split(out, "\n") {
			var rec map[string]any
			if strings.HasPrefix(line, "{") && json.Unmarshal([]byte(line), &rec) == nil {
				last = rec
			}
		}
		if last == nil {
			t.Fatalf("demo --log-format json logged no JSON:\n%s", out)
		}
		if last["msg"] != "hoofprint finished" {
			t.Fatalf(`the last log record is %v; want the run summary {"msg":"hoofprint finished","exit_code":N,"gaps":N,...} (docs/deploy.md section 8)`, last)
		}
		if ec, ok := last["exit_code"].(float64); !ok || int(ec) != code {
			t.Errorf("summary exit_code %v, but the process exited %d", last["exit_code"], code)
		}
		if _, ok := last["gaps"].(float64); !ok {
			t.Errorf("summary has no numeric gaps: %v", last)
		}
		for id, wantMatch := range map[string]bool{
			"FinishedRunFilter":   true,
			"GapsFilter":          true,
			"IncompleteRunFilter": code == 3,
		} {
			pattern := mapValue(mapValue(resource(t, "cloudformation/scanner-account.yaml", id), "Properties"), "FilterPattern")
			if pattern == nil {
				t.Fatalf("%s has no FilterPattern", id)
			}
			got, err := matchJSONFilter(pattern.Value, last)
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			if got != wantMatch {
				t.Errorf("%s pattern %s matches the summary of a run that exited %d: %v, want %v", id, pattern.Value, code, got, wantMatch)
			}
		}
	})

	t.Run("every flag the scanner task passes is a flag of scan", func(t *testing.T) {
		help, code := runInRoot(t, root, uid, gid, d.workdir, d.entrypoint[0], "scan", "--help")
		if code != 0 {
			t.Fatalf("scan --help exited %d: %s", code, help)
		}
		cmd := mapValue(mapValue(resource(t, "cloudformation/scanner-account.yaml", "TaskDefinition"), "Properties"), "ContainerDefinitions")
		b, err := yaml.Marshal(cmd)
		if err != nil {
			t.Fatal(err)
		}
		flags := regexp.MustCompile(`(?:^|\s)(--[a-z][a-z-]+)`).FindAllStringSubmatch(string(b), -1)
		if len(flags) < 5 {
			t.Fatalf("found only %v flags in the task's command", flags)
		}
		for _, f := range flags {
			if !strings.Contains(help, f[1]+" ") && !strings.Contains(help, f[1]+"\n") {
				t.Errorf("the task passes %s, which scan --help does not list", f[1])
			}
		}
		if !strings.Contains(string(b), "- scan ") && !strings.Contains(string(b), "scan --") {
			t.Errorf("the task does not run scan: %s", b)
		}
	})

	t.Run("the image's default command runs the demo in its working directory", func(t *testing.T) {
		args := append([]string{}, d.cmd...)
		out, code := runInRoot(t, root, uid, gid, d.workdir, d.entrypoint[0], args...)
		if code != 0 {
			t.Fatalf("%q exited %d:\n%s", args, code, out)
		}
		checkSARIF(t, filepath.Join(root, strings.TrimPrefix(d.workdir, "/"), "hoofprint-demo", "hoofprint.sarif"))
	})
}

func checkSARIF(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no SARIF report in the root: %v", err)
	}
	var doc struct {
		Version string            `json:"version"`
		Runs    []json.RawMessage `json:"runs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Version != "2.1.0" || len(doc.Runs) == 0 {
		t.Errorf("%s is not a SARIF 2.1.0 log with a run (version %q, %d runs, err %v)", path, doc.Version, len(doc.Runs), err)
	}
}

// TestDockerIgnoreKeepsEverythingTheBuildNeeds checks that no package the
// binary is built from, and no file it embeds, is left out of the image's
// build context by .dockerignore (a Docker build would fail where this
// test's build succeeds).
func TestDockerIgnoreKeepsEverythingTheBuildNeeds(t *testing.T) {
	b, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, l)
		}
	}
	out, err := exec.CommandContext(t.Context(), "go", "list", "-e", "-deps",
		"-f", `{{if .Module}}{{if .Module.Main}}{{.Dir}}{{range .GoFiles}} {{.}}{{end}}{{range .EmbedFiles}} {{.}}{{end}}{{"\n"}}{{end}}{{end}}`,
		"../cmd/hoofprint").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		dir, err := filepath.Rel(root, fields[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fields[1:] {
			files = append(files, filepath.ToSlash(filepath.Join(dir, f)))
		}
	}
	files = append(files, "go.mod", "go.sum", "scripts/build.sh")
	if len(files) < 10 {
		t.Fatalf("go list found only %q", files)
	}
	for _, f := range files {
		for _, p := range patterns {
			if excluded(p, f) {
				t.Errorf(".dockerignore %q leaves out %s, which the build needs", p, f)
			}
		}
	}
}

// excluded reports whether a .dockerignore pattern excludes path: the
// forms used there (a path, a "**/" prefix, shell globs per segment).
func excluded(pattern, path string) bool {
	if rest, ok := strings.CutPrefix(pattern, "**/"); ok {
		segs := strings.Split(path, "/")
		for i := range segs {
			if excluded(rest, strings.Join(segs[i:], "/")) {
				return true
			}
		}
		return false
	}
	segs := strings.Split(path, "/")
	psegs := strings.Split(pattern, "/")
	if len(psegs) > len(segs) {
		return false
	}
	for i, ps := range psegs {
		if ok, _ := filepath.Match(ps, segs[i]); !ok {
			return false
		}
	}
	return true
}

// matchJSONFilter evaluates the subset of CloudWatch Logs JSON filter
// patterns the templates use: { $.field = "string" && $.field = number }.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
// Anything else is an error, so a richer pattern gets a richer evaluator
// rather than an unchecked alarm.
func matchJSONFilter(pattern string, rec map[string]any) (bool, error) {
	body, ok := strings.CutPrefix(strings.TrimSpace(pattern), "{")
	if !ok {
		return false, fmt.Errorf("pattern %q is not a JSON filter", pattern)
	}
	body, ok = strings.CutSuffix(strings.TrimSpace(body), "}")
	if !ok {
		return false, fmt.Errorf("pattern %q is not a JSON filter", pattern)
	}
	for _, term := range strings.Split(body, "&&") {
		field, value, ok := strings.Cut(term, "=")
		field, value = strings.TrimSpace(field), strings.TrimSpace(value)
		name, isField := strings.CutPrefix(field, "$.")
		if !ok || !isField || strings.ContainsAny(name, ".[]|!<>") || strings.Contains(body, "||") {
			return false, fmt.Errorf("pattern %q: term %q is outside the supported subset", pattern, term)
		}
		got, present := rec[name]
		if !present {
			return false, nil
		}
		if s, err := strconv.Unquote(value); err == nil {
			if got != s {
				return false, nil
			}
			continue
		}
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return false, fmt.Errorf("pattern %q: value %q is neither a quoted string nor a number", pattern, value)
		}
		if f, isNum := got.(float64); !isNum || f != n {
			return false, nil
		}
	}
	return true, nil
}

func TestMatchJSONFilter(t *testing.T) {
	rec := map[string]any{"msg": "hoofprint finished", "exit_code": float64(3), "gaps": float64(2)}
	tests := []struct {
		name    string
		pattern string
		want    bool
		wantErr bool
	}{
		{"a string and a number that both match", `{ $.msg = "hoofprint finished" && $.exit_code = 3 }`, true, false},
		{"a number that differs does not match", `{ $.msg = "hoofprint finished" && $.exit_code = 0 }`, false, false},
		{"a string that differs does not match", `{ $.msg = "scanning" }`, false, false},
		{"a missing field does not match", `{ $.nope = 1 }`, false, false},
		{"an OR is outside the subset", `{ $.gaps = 1 || $.gaps = 2 }`, false, true},
		{"a text pattern is not a JSON filter", `hoofprint finished`, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := matchJSONFilter(tc.pattern, rec)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("matchJSONFilter(%q) = %v, %v; want %v, error %v", tc.pattern, got, err, tc.want, tc.wantErr)
			}
		})
	}
}
