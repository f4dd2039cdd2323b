package pipeline

import (
	"fmt"
	"os"
	"testing"
)

// Records past the memory budget wait in a file and come back intact, in
// whatever order their turns come; the file is emptied once every spilled
// record has had its turn, and removed by close.
func TestReorderBufferSpillsPastItsBudget(t *testing.T) {
	r := newReorderBuffer(10)
	recs := map[int][]byte{}
	for seq := 5; seq >= 1; seq-- { // the latest first, as a slow bucket holds back the others
		recs[seq] = []byte(fmt.Sprintf("{\"bucket\":%d}", seq)) // 12 bytes each: none fits the 10-byte budget
		if err := r.put(seq, record{inv: recs[seq], asff: []byte(fmt.Sprint("asff", seq))}); err != nil {
			t.Fatal(err)
		}
	}
	small := []byte("{}")
	if err := r.put(0, record{inv: small}); err != nil {
		t.Fatal(err)
	}
	if r.file.Name() == "" || len(r.spilled) != 5 || len(r.mem) != 1 {
		t.Fatalf("%d in memory, %d spilled: want the 2-byte record in memory and the 17-byte ones spilled", len(r.mem), len(r.spilled))
	}
	if _, ok, _ := r.take(6); ok {
		t.Error("take(6) found a record that never came")
	}
	for seq := 0; seq <= 5; seq++ {
		got, ok, err := r.take(seq)
		if err != nil || !ok {
			t.Fatalf("take(%d) = %v, %v", seq, ok, err)
		}
		want := record{inv: recs[seq], asff: []byte(fmt.Sprint("asff", seq))}
		if seq == 0 {
			want = record{inv: small}
		}
		if string(got.inv) != string(want.inv) || string(got.asff) != string(want.asff) {
			t.Errorf("take(%d) = %q, %q; want %q, %q", seq, got.inv, got.asff, want.inv, want.asff)
		}
	}
	if r.len() != 0 || r.file.Size() != 0 {
		t.Errorf("after every turn: %d waiting, file size %d; want the file emptied", r.len(), r.file.Size())
	}
	// The buffer, its maps made anew, takes the next records as before.
	if err := r.put(7, record{inv: recs[1]}); err != nil {
		t.Fatal(err)
	}
	if err := r.put(6, record{inv: small}); err != nil {
		t.Fatal(err)
	}
	for seq, want := range map[int][]byte{6: small, 7: recs[1]} {
		if got, ok, err := r.take(seq); err != nil || !ok || string(got.inv) != string(want) {
			t.Errorf("take(%d) after every turn = %q, %v, %v; want %q", seq, got.inv, ok, err, want)
		}
	}
	name := r.file.Name()
	r.close()
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("spill file %s still there after close: %v", name, err)
	}
}
