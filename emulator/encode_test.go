package emulator

import (
	"encoding/xml"
	"testing"
)

func TestListV2EncodingMatchesEncodingXML(t *testing.T) {
	tests := []struct {
		name string
		l    listV2XML
	}{
		{"an empty listing", listV2XML{NS: s3NS, Name: "b", MaxKeys: 1000}},
		{"a truncated page with owners, prefixes and characters to escape", listV2XML{NS: s3NS, Name: "b", Prefix: "a&b/", Delimiter: "/", MaxKeys: 2, KeyCount: 2,
			IsTruncated: true, ContinuationToken: "x", NextContinuationToken: "y<", StartAfter: "s",
			Contents:       []contentsXML{{Key: `k<&>"'`, LastModified: "2019-06-30T16:00:00.000Z", ETag: `"abc"`, Size: 5, Owner: &ownerXML{ID: "id"}, StorageClass: "STANDARD"}},
			CommonPrefixes: []prefixXML{{"a&b/c/"}, {"a&b/d/"}}}},
		{"url encoding type without owners", listV2XML{NS: s3NS, Name: "b", EncodingType: "url", MaxKeys: 1, KeyCount: 1,
			Contents: []contentsXML{{Key: "a%20b", LastModified: "t", ETag: "e", StorageClass: "STANDARD"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := xml.Marshal(tt.l)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(tt.l.encode()); got != xml.Header+string(want) {
				t.Errorf("got\n%s\nwant\n%s", got, xml.Header+string(want))
			}
		})
	}
}
