package inventory

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// The streamable inventory (SchemaVersion v2) is a sequence of JSON values,
// one per line:
//
//	{"schemaVersion":"hoofprint.inventory/v2", …the organization map…, "buckets":[]}
//	{"bucket":{…one bucket with its object sample…}}
//	…
//	{"trailer":{"finishedAt":…,"buckets":N,"coverage":{…}}}
//
// The first line is a Snapshot without buckets, coverage or finishedAt: the
// organization map a scan collects before any bucket. Each bucket follows as
// soon as it is collected, and the trailer closes the file. A writer never
// holds more than one bucket; a reader (Reader.Next) neither. A file without
// its trailer is refused: it was cut short.

// SchemaVersionV1 is the earlier layout: one JSON document holding the whole
// Snapshot. It is still read (whole, so not in bounded memory).
const SchemaVersionV1 = "hoofprint.inventory/v1"

// Trailer is the last record of a streamed inventory.
type Trailer struct {
	FinishedAt time.Time `json:"finishedAt"`
	// Buckets is the number of bucket records before the trailer, so a
	// reader can tell a complete file from one that lost records.
	Buckets  int      `json:"buckets"`
	Coverage Coverage `json:"coverage"`
}

// record is one line after the header.
type record struct {
	Bucket  *Bucket  `json:"bucket,omitempty"`
	Trailer *Trailer `json:"trailer,omitempty"`
}

// Writer writes a streamed inventory: Header once, Bucket any number of
// times, then Close. It is not safe for concurrent use.
type Writer struct {
	path    string // "" when writing to a caller's io.Writer
	tmp     *os.File
	gz      *gzip.Writer
	buf     *bufio.Writer
	enc     *json.Encoder
	buckets int
	header  bool
}

// Create starts writing an inventory to path, gzip-compressed when path
// ends in ".gz". It writes a temporary file in the same directory and
// renames it on Close, so an interrupted run never leaves a truncated file
// where a good one was; Abort removes the temporary file.
func Create(path string) (*Writer, error) {
	tmp, err := os.CreateTemp(dirOf(path), ".hoofprint-inventory-*")
	if err != nil {
		return nil, fmt.Errorf("write inventory %s: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return nil, fmt.Errorf("write inventory %s: %w", path, err)
	}
	w := &Writer{path: path, tmp: tmp}
	var out io.Writer = tmp
	if strings.HasSuffix(path, ".gz") {
		w.gz = gzip.NewWriter(tmp)
		out = w.gz
	}
	w.buf = bufio.NewWriterSize(out, 256<<10)
	w.enc = json.NewEncoder(w.buf)
	return w, nil
}

// NewWriter writes a streamed inventory to out (uncompressed); Close
// flushes but does not close out.
func NewWriter(out io.Writer) *Writer {
	w := &Writer{buf: bufio.NewWriter(out)}
	w.enc = json.NewEncoder(w.buf)
	return w
}

func (w *Writer) fail(err error) error {
	if w.path != "" {
		return fmt.Errorf("write inventory %s: %w", w.path, err)
	}
	return fmt.Errorf("write inventory: %w", err)
}

// Header writes the organization map: s without its buckets, coverage and
// finish time, which come later.
func (w *Writer) Header(s *Snapshot) error {
	if w.header {
		return w.fail(errors.New("header written twice"))
	}
	h := *s
	h.SchemaVersion = SchemaVersion
	h.Buckets = []Bucket{}
	h.Coverage = Coverage{Gaps: []Gap{}}
	h.FinishedAt = time.Time{}
	w.header = true
	if err := w.enc.Encode(&h); err != nil {
		return w.fail(err)
	}
	return nil
}

// Bucket appends one bucket record.
func (w *Writer) Bucket(b *Bucket) error {
	if !w.header {
		return w.fail(errors.New("bucket written before the header"))
	}
	w.buckets++
	if err := w.enc.Encode(record{Bucket: b}); err != nil {
		return w.fail(err)
	}
	return nil
}

// WriteRaw appends one bucket record already encoded with EncodeBucket.
func (w *Writer) WriteRaw(rec []byte) error {
	if !w.header {
		return w.fail(errors.New("bucket written before the header"))
	}
	w.buckets++
	if _, err := w.buf.Write(rec); err != nil {
		return w.fail(err)
	}
	return nil
}

// EncodeBucket returns b's record line as Writer.Bucket would write it, so
// that records can be encoded concurrently and written in order later.
func EncodeBucket(b *Bucket) ([]byte, error) {
	out, err := json.Marshal(record{Bucket: b})
	if err != nil {
		return nil, fmt.Errorf("encode bucket %s: %w", b.ARN, err)
	}
	// Exactly the record's size: records wait for their turn in memory
	// (pipeline), and append would give the newline a quarter or more of
	// spare capacity.
	rec := make([]byte, len(out)+1)
	copy(rec, out)
	rec[len(out)] = '\n'
	return rec, nil
}

// DecodeBucket is the inverse of EncodeBucket: the bucket as Reader.Next
// reads it from a file.
func DecodeBucket(rec []byte) (*Bucket, error) {
	var r record
	if err := json.Unmarshal(rec, &r); err != nil {
		return nil, fmt.Errorf("decode bucket record: %w", err)
	}
	if r.Bucket == nil {
		return nil, errors.New("decode bucket record: not a bucket")
	}
	return r.Bucket, nil
}

// Close writes the trailer (s's finish time and coverage), flushes, and
// for a file renames it into place.
func (w *Writer) Close(s *Snapshot) error {
	if !w.header {
		if err := w.Header(s); err != nil {
			return err
		}
	}
	cov := s.Coverage
	if cov.Gaps == nil {
		cov.Gaps = []Gap{}
	}
	if err := w.enc.Encode(record{Trailer: &Trailer{FinishedAt: s.FinishedAt, Buckets: w.buckets, Coverage: cov}}); err != nil {
		w.Abort()
		return w.fail(err)
	}
	if err := w.buf.Flush(); err != nil {
		w.Abort()
		return w.fail(err)
	}
	if w.tmp == nil {
		return nil
	}
	if w.gz != nil {
		if err := w.gz.Close(); err != nil {
			w.Abort()
			return w.fail(err)
		}
	}
	if err := w.tmp.Close(); err != nil {
		w.Abort()
		return w.fail(err)
	}
	if err := os.Rename(w.tmp.Name(), w.path); err != nil {
		_ = os.Remove(w.tmp.Name())
		return w.fail(err)
	}
	w.tmp = nil
	return nil
}

// Abort removes a file being written; it is a no-op after Close.
func (w *Writer) Abort() {
	if w.tmp != nil {
		_ = w.tmp.Close()
		_ = os.Remove(w.tmp.Name())
		w.tmp = nil
	}
}

// Reader reads an inventory one bucket at a time: a streamed (v2) file in
// bounded memory, a v1 file after loading it whole.
type Reader struct {
	header *Snapshot
	dec    *json.Decoder
	closer func() error
	gz     *gzip.Reader
	// v1 is the whole snapshot of a v1 file; its buckets are handed out
	// one by one.
	v1      *Snapshot
	next    int
	buckets int
	done    bool
	what    string // file name in errors
	limits  Limits
	src     *limitedReader
}

// Open opens an inventory file (gzip detected by content) within
// DefaultLimits.
func Open(path string) (*Reader, error) {
	return OpenLimited(path, DefaultLimits)
}

// OpenLimited opens an inventory file that must stay within limits.
func OpenLimited(path string, limits Limits) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	r, err := newReader(f, f.Close, path, limits)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("read inventory %s: %w", path, err)
	}
	return r, nil
}

// NewReader reads an inventory from in (gzip detected by content) within
// DefaultLimits.
func NewReader(in io.Reader) (*Reader, error) {
	return NewLimitedReader(in, DefaultLimits)
}

// NewLimitedReader reads an inventory from in that must stay within limits.
func NewLimitedReader(in io.Reader, limits Limits) (*Reader, error) {
	return newReader(in, func() error { return nil }, "", limits)
}

func newReader(in io.Reader, closer func() error, what string, limits Limits) (*Reader, error) {
	br := bufio.NewReaderSize(in, 64<<10)
	r := &Reader{closer: closer, what: what, limits: limits}
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("decompress: %w", err)
		}
		r.gz = gz
		src = gz
	}
	r.src = &limitedReader{r: src, limits: limits, recordStart: func() int64 { return 0 }}
	r.dec = json.NewDecoder(r.src)
	r.src.recordStart = r.dec.InputOffset
	var s Snapshot
	if err := r.dec.Decode(&s); err != nil {
		var syntax *json.SyntaxError
		switch {
		case errors.Is(err, io.EOF):
			return nil, errors.New("the file is empty: not a hoofprint inventory")
		case errors.As(err, &syntax) && syntax.Offset <= 1:
			return nil, fmt.Errorf("not a hoofprint inventory (neither JSON nor gzip): %w", err)
		}
		return nil, fmt.Errorf("decode inventory: %w", err)
	}
	if err := limits.checkHeader(&s); err != nil {
		return nil, err
	}
	switch s.SchemaVersion {
	case "":
		return nil, fmt.Errorf("no schemaVersion: not a hoofprint inventory (this hoofprint reads %q and %q)", SchemaVersion, SchemaVersionV1)
	case SchemaVersion:
		r.header = &s
	case SchemaVersionV1:
		if err := r.finishInput(); err != nil {
			return nil, err
		}
		for i := range s.Buckets {
			if err := checkIdentity(&s.Buckets[i], i+1); err != nil {
				return nil, err
			}
		}
		r.v1 = &s
		h := s
		h.Buckets = []Bucket{}
		r.header = &h
	default:
		return nil, fmt.Errorf("inventory schema %q is not supported (this hoofprint reads %q and %q)", s.SchemaVersion, SchemaVersion, SchemaVersionV1)
	}
	return r, nil
}

// Header is the organization map (the whole snapshot without buckets).
// After Next has returned io.EOF its FinishedAt and Coverage are the
// trailer's.
func (r *Reader) Header() *Snapshot { return r.header }

// Next returns the next bucket, or io.EOF after the last one once the
// trailer has been read and checked.
func (r *Reader) Next() (*Bucket, error) {
	if r.done {
		return nil, io.EOF
	}
	if r.v1 != nil {
		if r.next < len(r.v1.Buckets) {
			b := &r.v1.Buckets[r.next]
			r.next++
			return b, nil
		}
		r.done = true
		r.header.Coverage, r.header.FinishedAt = r.v1.Coverage, r.v1.FinishedAt
		r.v1 = nil
		return nil, io.EOF
	}
	var rec record
	if err := r.dec.Decode(&rec); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, r.wrap(fmt.Errorf("the inventory ends after %d buckets without its trailer: the file was cut short", r.buckets))
		}
		return nil, r.wrap(fmt.Errorf("decode inventory record %d: %w", r.buckets+2, err))
	}
	switch {
	case rec.Bucket != nil:
		r.buckets++
		if r.buckets > r.limits.MaxBuckets {
			return nil, r.wrap(limitErr("more than %d buckets", r.limits.MaxBuckets))
		}
		if err := r.limits.checkBucket(rec.Bucket); err != nil {
			return nil, r.wrap(err)
		}
		if err := checkIdentity(rec.Bucket, r.buckets); err != nil {
			return nil, r.wrap(err)
		}
		return rec.Bucket, nil
	case rec.Trailer != nil:
		if err := r.limits.checkCoverage(rec.Trailer.Coverage); err != nil {
			return nil, r.wrap(err)
		}
		if rec.Trailer.Buckets != r.buckets {
			return nil, r.wrap(fmt.Errorf("the trailer counts %d buckets but the file holds %d", rec.Trailer.Buckets, r.buckets))
		}
		if err := r.finishInput(); err != nil {
			return nil, r.wrap(err)
		}
		r.done = true
		r.header.FinishedAt = rec.Trailer.FinishedAt
		r.header.Coverage = rec.Trailer.Coverage
		return nil, io.EOF
	}
	return nil, r.wrap(fmt.Errorf("inventory record %d is neither a bucket nor the trailer", r.buckets+2))
}

// finishInput checks that nothing follows and, for gzip, reads to the end
// so that the CRC is checked: a corrupted file must fail, not pass as a
// shorter inventory.
func (r *Reader) finishInput() error {
	// Only white space may follow: dec.More alone lets a stray '}' or ']'
	// through. What the decoder buffered is checked, then the rest of the
	// input (through the limits, and through gzip so its CRC is checked).
	rest := io.MultiReader(r.dec.Buffered(), r.src)
	buf := make([]byte, 32<<10)
	for {
		n, err := rest.Read(buf)
		for _, c := range buf[:n] {
			if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				return errors.New("decode inventory: unexpected data after the last record")
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if errors.Is(err, ErrLimit) {
				return err
			}
			return fmt.Errorf("decompress: %w", err)
		}
	}
}

// checkIdentity refuses a bucket record that does not say which bucket
// and account it is: every finding on it would name nothing ("Bucket  has
// server access logging off"). n counts buckets from 1.
func checkIdentity(b *Bucket, n int) error {
	switch {
	case b.Name == "":
		return fmt.Errorf("bucket %d has no name", n)
	case b.AccountID == "":
		return fmt.Errorf("bucket %d (%s) has no accountId", n, b.Name)
	}
	return nil
}

func (r *Reader) wrap(err error) error {
	if r.what != "" {
		return fmt.Errorf("read inventory %s: %w", r.what, err)
	}
	return err
}

// Close closes the underlying file.
func (r *Reader) Close() error {
	if r.gz != nil {
		_ = r.gz.Close()
	}
	return r.closer()
}

// ReadAll reads the rest of r into one Snapshot (buckets included).
func ReadAll(r *Reader) (*Snapshot, error) {
	s := *r.Header()
	s.Buckets = []Bucket{}
	for {
		b, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		s.Buckets = append(s.Buckets, *b)
	}
	h := r.Header()
	s.FinishedAt, s.Coverage = h.FinishedAt, h.Coverage
	return &s, nil
}
