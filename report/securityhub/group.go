package securityhub

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/hoofprint/hoofprint/findings"
	"github.com/hoofprint/hoofprint/report/asff"
	"github.com/hoofprint/hoofprint/report/internal/view"
)

// groupKey is an account and the region its findings are imported into.
type groupKey struct{ account, region string }

// grouped holds tonight's findings by account and region until each
// account's importer asks for them. The import needs an account's findings
// at once (to tell new from updated and fixed), but the document yields
// them ordered by rule, so every account's findings come throughout. A
// small run keeps them in memory; a large one (its findings in a spill
// file, findings.Set) copies them once into a file of its own and keeps
// only where each one is, so that memory holds the accounts being imported
// (Options.Concurrency at a time) rather than the organization's findings
// as ASFF: 290,000 of them at 1,000 accounts.
type grouped struct {
	count map[groupKey]int
	mem   map[groupKey][]findings.Finding
	file  *os.File
	spans map[groupKey][]span
}

// span is where one finding's JSON is in the file.
type span struct {
	off int64
	n   int32
}

// groupFindings reads doc's findings once, redacted as every report
// redacts them, and groups them by account and the region opts imports
// them into.
func groupFindings(doc findings.Document, opts asff.Options) (_ *grouped, err error) {
	g := &grouped{count: map[groupKey]int{}}
	var w *bufio.Writer
	var enc *json.Encoder
	var off countingWriter
	if doc.Set != nil {
		if g.file, err = os.CreateTemp("", ".hoofprint-import-*"); err != nil {
			return nil, fmt.Errorf("group findings by account: %w", err)
		}
		defer func() {
			if err != nil {
				_ = g.close()
			}
		}()
		g.spans = map[groupKey][]span{}
		w = bufio.NewWriterSize(g.file, 256<<10)
		off.w = w
		enc = json.NewEncoder(&off)
		enc.SetEscapeHTML(false)
	} else {
		g.mem = map[groupKey][]findings.Finding{}
	}
	for f := range doc.All() {
		f = view.RedactFinding(f, doc.ShowObjectKeys)
		k := groupKey{f.AccountID, opts.Region(f)}
		g.count[k]++
		if g.mem != nil {
			g.mem[k] = append(g.mem[k], f)
			continue
		}
		start := off.n
		if err := enc.Encode(&f); err != nil {
			return nil, fmt.Errorf("group findings by account: %s on %s: %w", f.RuleID, f.ResourceARN, err)
		}
		g.spans[k] = append(g.spans[k], span{off: start, n: int32(off.n - start)})
	}
	if w != nil {
		if err := w.Flush(); err != nil {
			return nil, fmt.Errorf("group findings by account in %s: %w", g.file.Name(), err)
		}
	}
	return g, nil
}

// load returns the findings of account in region as ASFF, in the
// document's order.
func (g *grouped) load(account, region string, doc findings.Document, opts asff.Options) ([]asff.Finding, error) {
	k := groupKey{account, region}
	out := make([]asff.Finding, 0, g.count[k])
	if g.mem != nil {
		for _, f := range g.mem[k] {
			out = append(out, asff.BuildOne(doc, f, opts))
		}
		return out, nil
	}
	var buf []byte
	for _, s := range g.spans[k] {
		if cap(buf) < int(s.n) {
			buf = make([]byte, s.n)
		}
		buf = buf[:s.n]
		if _, err := g.file.ReadAt(buf, s.off); err != nil {
			return nil, fmt.Errorf("read back findings of account %s in %s from %s: %w", account, region, g.file.Name(), err)
		}
		var f findings.Finding
		dec := json.NewDecoder(bytes.NewReader(buf))
		// As findings.Set reads its spill file: numbers stay json.Number,
		// so evidence is written as it was read.
		dec.UseNumber()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("read back findings of account %s in %s from %s: %w", account, region, g.file.Name(), err)
		}
		out = append(out, asff.BuildOne(doc, f, opts))
	}
	return out, nil
}

func (g *grouped) close() error {
	if g.file == nil {
		return nil
	}
	name := g.file.Name()
	err := g.file.Close()
	if rmErr := os.Remove(name); err == nil {
		err = rmErr
	}
	g.file = nil
	return err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
