package jute_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/zkcurator/zkcurator/jute"
)

// Fuzz targets, one per record family. Each decodes the input as every
// record of its family and checks:
//   - decoding never panics and fails only with ErrCorrupt;
//   - the decoded record holds O(n) memory for n input bytes;
//   - re-encoding is stable: encode(decode(encode(decode(x)))) equals
//     encode(decode(x)), so what we decode we can also send back.
//
// Run one with: go test -run XXX -fuzz FuzzMultiResponse -fuzztime 10s ./jute/

// maxHeldPerByte bounds a decoded record's memory per input byte. The worst
// legitimate ratio is a multi result without a body: 9 input bytes become a
// 24-byte MultiResult, doubled by append's growth.
const maxHeldPerByte = 16

// fuzzSeeds adds every sample record's encoding, and a few hostile inputs, to
// the corpus of f.
func fuzzSeeds(f *testing.F) {
	for _, s := range samples() {
		f.Add(s.rec.Encode(nil))
	}
	f.Add([]byte{})
	f.Add(hostile(0x7fffffff))
	f.Add(hostile(-2))
	f.Add(hostile(-1))
}

// checkDecode runs the fuzz checks for one record type.
func checkDecode(t *testing.T, b []byte, newRec func() jute.Record) {
	r := newRec()
	err := jute.Unmarshal(b, r)
	if err != nil {
		if !isCorrupt(err) {
			t.Fatalf("%T: error does not wrap ErrCorrupt: %v", r, err)
		}
		return
	}
	if held, limit := heldBytes(reflect.ValueOf(r)), maxHeldPerByte*len(b)+256; held > limit {
		t.Fatalf("%T: %d input bytes decoded into %d bytes (limit %d)", r, len(b), held, limit)
	}
	e1 := r.Encode(nil)
	r2 := newRec()
	if err := jute.Unmarshal(e1, r2); err != nil {
		t.Fatalf("%T: re-encoded record does not decode: %v\ninput   %x\nencoded %x", r, err, b, e1)
	}
	if e2 := r2.Encode(nil); !bytes.Equal(e1, e2) {
		t.Fatalf("%T: encoding not stable\ninput %x\nfirst  %x\nsecond %x", r, b, e1, e2)
	}
}

func fuzzRecords(f *testing.F, newRecs ...func() jute.Record) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, newRec := range newRecs {
			checkDecode(t, b, newRec)
		}
	})
}

func FuzzConnectRequest(f *testing.F) {
	fuzzRecords(f, func() jute.Record { return &jute.ConnectRequest{} })
}

func FuzzConnectResponse(f *testing.F) {
	fuzzRecords(f, func() jute.Record { return &jute.ConnectResponse{} })
}

func FuzzReplyHeader(f *testing.F) {
	fuzzRecords(f,
		func() jute.Record { return &jute.ReplyHeader{} },
		func() jute.Record { return &jute.RequestHeader{} },
		func() jute.Record { return &jute.MultiHeader{} },
		func() jute.Record { return &jute.ErrorResponse{} },
	)
}

func FuzzWatcherEvent(f *testing.F) {
	fuzzRecords(f, func() jute.Record { return &jute.WatcherEvent{} })
}

func FuzzAuthPacket(f *testing.F) {
	fuzzRecords(f, func() jute.Record { return &jute.AuthPacket{} })
}

func FuzzPathRequests(f *testing.F) {
	fuzzRecords(f,
		func() jute.Record { return &jute.PathRecord{} },
		func() jute.Record { return &jute.PathWatchRequest{} },
		func() jute.Record { return &jute.PathVersionRequest{} },
		func() jute.Record { return &jute.PathTypeRequest{} },
	)
}

func FuzzCreateRequest(f *testing.F) {
	fuzzRecords(f,
		func() jute.Record { return &jute.CreateRequest{} },
		func() jute.Record { return &jute.CreateTTLRequest{} },
	)
}

func FuzzSetDataRequest(f *testing.F) {
	fuzzRecords(f, func() jute.Record { return &jute.SetDataRequest{} })
}

func FuzzCreate2Response(f *testing.F) {
	fuzzRecords(f,
		func() jute.Record { return &jute.Create2Response{} },
		func() jute.Record { return &jute.StatResponse{} },
	)
}

func FuzzGetDataResponse(f *testing.F) {
	fuzzRecords(f, func() jute.Record { return &jute.GetDataResponse{} })
}

func FuzzGetChildren2Response(f *testing.F) {
	fuzzRecords(f,
		func() jute.Record { return &jute.GetChildren2Response{} },
		func() jute.Record { return &jute.StringsResponse{} },
	)
}

func FuzzGetACLResponse(f *testing.F) {
	fuzzRecords(f,
		func() jute.Record { return &jute.GetACLResponse{} },
		func() jute.Record { return &jute.SetACLRequest{} },
	)
}

func FuzzWhoAmIResponse(f *testing.F) {
	fuzzRecords(f, func() jute.Record { return &jute.WhoAmIResponse{} })
}

func FuzzSetWatches(f *testing.F) {
	fuzzRecords(f, func() jute.Record { return &jute.SetWatches{} })
}

func FuzzSetWatches2(f *testing.F) {
	fuzzRecords(f, func() jute.Record { return &jute.SetWatches2{} })
}

func FuzzMultiRequest(f *testing.F) {
	fuzzRecords(f, func() jute.Record { return &jute.MultiRequest{} })
}

func FuzzMultiResponse(f *testing.F) {
	fuzzRecords(f, func() jute.Record { return &jute.MultiResponse{} })
}

// FuzzReadFrame checks that framing never panics, never returns more than
// the limit, and fails only with ErrCorrupt or an I/O error.
func FuzzReadFrame(f *testing.F) {
	fuzzSeeds(f)
	f.Add(jute.AppendInt(nil, 3))
	f.Fuzz(func(t *testing.T, b []byte) {
		const limit = 4096
		r := bytes.NewReader(b)
		for {
			frame, err := jute.ReadFrame(r, nil, limit)
			if err != nil {
				return
			}
			if len(frame) > limit {
				t.Fatalf("frame of %d bytes over limit %d", len(frame), limit)
			}
		}
	})
}
