package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// repeatValues is a valid value for each type of single-value flag the
// commands have; a new type fails the test below until it is added here.
var repeatValues = map[string]string{
	"bool":     "true",
	"int":      "1",
	"int64":    "1",
	"duration": "1s",
	"string":   "x",
}

// TestEveryRepeatedSingleValueFlagIsRefused: pflag keeps the last of a
// repeated flag without a word, so `--fail-on high … --fail-on none`
// would turn a nightly gate off. Every single-value flag of every command
// given twice is a usage error naming it, and never echoes the values
// (--external-id is one of these flags).
func TestEveryRepeatedSingleValueFlagIsRefused(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() {
			return
		}
		path := strings.Fields(c.CommandPath())[1:]
		// Positional arguments are checked before the flags' values: give
		// as many as the command wants.
		var positional []string
		for c.ValidateArgs(positional) != nil && len(positional) < 3 {
			positional = append(positional, "arg")
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if _, list := f.Value.(pflag.SliceValue); list || f.Name == "help" {
				return
			}
			v, ok := repeatValues[f.Value.Type()]
			if !ok {
				t.Errorf("%s --%s: no test value for flag type %q", c.CommandPath(), f.Name, f.Value.Type())
				return
			}
			args := append(append([]string{}, path...), "--"+f.Name+"="+v+"-first-secret", "--"+f.Name+"="+v)
			if f.Value.Type() != "string" {
				args[len(args)-2] = "--" + f.Name + "=" + v
			}
			args = append(args, positional...)
			t.Run(strings.Join(path, "_")+"/"+f.Name, func(t *testing.T) {
				var so, se bytes.Buffer
				code := run(t.Context(), args, &so, &se)
				want := "--" + f.Name + " (2 times) given more than once"
				if code != exitUsage || !strings.Contains(se.String(), want) {
					t.Fatalf("%v: exit %d, want %d saying %q\n%s", args, code, exitUsage, want, se.String())
				}
				if strings.Contains(se.String(), "first-secret") {
					t.Errorf("the refusal echoes a value:\n%s", se.String())
				}
			})
		})
	}
	walk(newRootCommand(io.Discard, io.Discard, &runRecord{}))
}

// TestRepeatedListFlagsAddUp: --accounts given twice keeps both lists
// (the first is still there for the overlap check to name).
func TestRepeatedListFlagsAddUp(t *testing.T) {
	var so, se bytes.Buffer
	code := run(t.Context(), []string{"scan", "--accounts", "111111111111", "--accounts", "222222222222", "--exclude-accounts", "111111111111"}, &so, &se)
	if want := "--accounts and --exclude-accounts both name 111111111111"; code != exitUsage || !strings.Contains(se.String(), want) {
		t.Fatalf("exit %d, want %d saying %q\n%s", code, exitUsage, want, se.String())
	}
}

// TestHelpIsUnchangedByTheRepeatCheck: the wrapper that counts a flag's
// values keeps pflag's help as it was: a bool needs no value, a zero
// default is not shown.
func TestHelpIsUnchangedByTheRepeatCheck(t *testing.T) {
	var so, se bytes.Buffer
	if code := run(t.Context(), []string{"scan", "--help"}, &so, &se); code != exitOK {
		t.Fatalf("scan --help exited %d\n%s", code, se.String())
	}
	help := so.String()
	if !strings.Contains(help, "--quiet[=true|false]") {
		t.Errorf("--quiet is no longer shown as a bool flag:\n%s", help)
	}
	if strings.Contains(help, "(default 0s)") {
		t.Errorf("a zero duration default is shown:\n%s", help)
	}
	// A bool flag still needs no value.
	so.Reset()
	se.Reset()
	if code := run(t.Context(), []string{"scan", "-q", "--accounts", "1"}, &so, &se); code != exitUsage || !strings.Contains(se.String(), `"1" is not a 12-digit AWS account ID`) {
		t.Errorf("-q without a value: exit %d\n%s", code, se.String())
	}
}
