package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// buildEnv returns the environment the builder stage's scripts/build.sh
// RUN sees when BuildKit builds for platform (os/arch): the RUN's leading
// NAME=value words, expanded with the stage's ARGs. BuildKit's automatic
// platform arguments reach a stage only through an ARG declared in it, and
// a default given there wins over the platform's value (the arm64 image
// held an amd64 binary that way).
// https://docs.docker.com/build/building/variables/#pre-defined-build-arguments
func buildEnv(t *testing.T, st stage, platform string) map[string]string {
	t.Helper()
	goos, goarch, _ := strings.Cut(platform, "/")
	automatic := map[string]string{
		"TARGETPLATFORM": platform, "TARGETOS": goos, "TARGETARCH": goarch,
		"BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDARCH": "amd64",
	}
	value := func(name string) string {
		def, declared := st.args[name]
		switch {
		case !declared:
			return ""
		case def != nil:
			return *def
		default:
			return automatic[name]
		}
	}
	run := ""
	for _, r := range st.runs {
		if strings.Contains(r, "scripts/build.sh") {
			run = r
		}
	}
	if run == "" {
		t.Fatalf("the builder stage has no RUN of scripts/build.sh: %q", st.runs)
	}
	ref := regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)
	env := map[string]string{}
	for _, w := range strings.Fields(run) {
		name, v, ok := strings.Cut(w, "=")
		if !ok || !regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`).MatchString(name) {
			break
		}
		env[name] = ref.ReplaceAllStringFunc(v, func(m string) string {
			return value(ref.FindStringSubmatch(m)[1])
		})
	}
	return env
}

func builderStage(t *testing.T, d dockerfile) stage {
	t.Helper()
	for _, st := range d.stages {
		if slices.ContainsFunc(st.runs, func(r string) bool { return strings.Contains(r, "scripts/build.sh") }) {
			return st
		}
	}
	t.Fatal("no Dockerfile stage runs scripts/build.sh")
	return stage{}
}

// TestDockerfileBuildArgumentsFollowThePlatform parses ../Dockerfile (no
// Docker engine needed) and proves that for each platform the templates
// offer (CpuArchitecture ARM64 and X86_64) the binary is built for that
// platform.
func TestDockerfileBuildArgumentsFollowThePlatform(t *testing.T) {
	d := parseDockerfile(t, "../Dockerfile")
	st := builderStage(t, d)
	if st.platform != "$BUILDPLATFORM" {
		t.Errorf("the builder stage runs on %q, want --platform=$BUILDPLATFORM (cross-compile, no emulation)", st.platform)
	}
	for _, name := range []string{"TARGETOS", "TARGETARCH"} {
		def, declared := st.args[name]
		if !declared {
			t.Errorf("the builder stage does not declare ARG %s: BuildKit's value never reaches the RUN", name)
		} else if def != nil {
			t.Errorf("ARG %s=%s: a default overrides the value BuildKit sets per --platform", name, *def)
		}
	}
	for _, platform := range []string{"linux/arm64", "linux/amd64"} {
		env := buildEnv(t, st, platform)
		if got := env["GOOS"] + "/" + env["GOARCH"]; got != platform {
			t.Errorf("building for %s, scripts/build.sh gets GOOS/GOARCH %q", platform, got)
		}
	}
}

// TestBuildEnvModelCatchesTheDefects proves the model above fails the
// Dockerfiles it must fail.
func TestBuildEnvModelCatchesTheDefects(t *testing.T) {
	const run = "GOOS=$TARGETOS GOARCH=${TARGETARCH} VERSION=$VERSION sh scripts/build.sh /out/hoofprint"
	amd64, linux := "amd64", "linux"
	tests := []struct {
		name string
		args map[string]*string
		want string
	}{
		{"declared without defaults: the platform's", map[string]*string{"TARGETOS": nil, "TARGETARCH": nil}, "linux/arm64"},
		{"a default wins over the platform", map[string]*string{"TARGETOS": &linux, "TARGETARCH": &amd64}, "linux/amd64"},
		{"not declared in the stage: empty", map[string]*string{}, "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := buildEnv(t, stage{runs: []string{run}, args: tc.args}, "linux/arm64")
			if got := env["GOOS"] + "/" + env["GOARCH"]; got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestTheImageDeclaresEveryPathTheTaskMounts: ECS creates a task's bind
// mount root-owned 0755 unless the image declares a VOLUME there, so the
// image's user could not write a mount the image does not declare.
func TestTheImageDeclaresEveryPathTheTaskMounts(t *testing.T) {
	d := parseDockerfile(t, "../Dockerfile")
	for _, p := range taskMountPaths(t) {
		if !slices.Contains(d.volumes, p) {
			t.Errorf("the task mounts %s but the Dockerfile has no VOLUME %s: ECS would mount it 0755 root and user %s could not write", p, p, d.user)
		}
	}
}

// TestWithoutAVolumeTheTaskCannotWriteTmp proves the reproduction of ECS's
// mount can fail: the same image without its VOLUME gets a /tmp the
// image's user cannot write, which the probe sees from inside.
func TestWithoutAVolumeTheTaskCannotWriteTmp(t *testing.T) {
	d := parseDockerfile(t, "../Dockerfile")
	d.volumes = nil
	uid, gid := imageUser(t, d)
	probe := buildProbe(t)
	root := emptyRoot(t, probe, d)
	out, code := runInRoot(t, root, uid, gid, "/", "/hoofprint")
	if code != 0 {
		t.Fatalf("probe exited %d: %s", code, out)
	}
	if !strings.Contains(out, `"tmpWritable":false`) {
		t.Errorf("without VOLUME /tmp the probe could still write /tmp: %s", out)
	}
	if st, err := os.Stat(filepath.Join(root, "tmp")); err != nil || st.Mode().Perm()&0o002 != 0 {
		t.Errorf("/tmp without a VOLUME: %v %v", st.Mode(), err)
	}
}
