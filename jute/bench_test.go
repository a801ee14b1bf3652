package jute_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/zkcurator/zkcurator/jute"
)

// BenchmarkGetDataResponse measures a 1 KiB getData reply: encoding into a
// reused buffer, decoding into a reused record (the data aliases the input,
// so decoding does not allocate), and both.
func BenchmarkGetDataResponse(b *testing.B) {
	in := jute.GetDataResponse{Data: bytes.Repeat([]byte{'x'}, 1024), Stat: sampleStat}
	enc := in.Encode(nil)

	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(enc)))
		buf := make([]byte, 0, 2048)
		for b.Loop() {
			buf = in.Encode(buf[:0])
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(enc)))
		var out jute.GetDataResponse
		for b.Loop() {
			if err := jute.Unmarshal(enc, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("roundtrip", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(enc)))
		buf := make([]byte, 0, 2048)
		var out jute.GetDataResponse
		for b.Loop() {
			buf = in.Encode(buf[:0])
			if err := jute.Unmarshal(buf, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGetChildren2Response decodes a reply listing many children; each
// child name is one string allocation.
func BenchmarkGetChildren2Response(b *testing.B) {
	for _, n := range []int{10, 1000} {
		in := jute.GetChildren2Response{Stat: sampleStat}
		for i := range n {
			in.Children = append(in.Children, fmt.Sprintf("lock-%010d", i))
		}
		enc := in.Encode(nil)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(enc)))
			var out jute.GetChildren2Response
			for b.Loop() {
				if err := jute.Unmarshal(enc, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRequestFrame encodes a framed getData request, as the writer does
// for each queued packet.
func BenchmarkRequestFrame(b *testing.B) {
	b.ReportAllocs()
	hdr := jute.RequestHeader{Xid: 1, Type: jute.OpGetData}
	req := jute.GetDataRequest{Path: "/app/config/service-a", Watch: true}
	buf := make([]byte, 0, 256)
	for b.Loop() {
		var start int
		buf, start = jute.BeginFrame(buf[:0])
		buf = hdr.Encode(buf)
		buf = req.Encode(buf)
		buf = jute.EndFrame(buf, start)
	}
}
