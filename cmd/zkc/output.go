package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/zkcurator/zkcurator/zk"
)

// emit prints v as indented JSON under --json, else calls text.
func (a *app) emit(v any, text func(w io.Writer)) error {
	if a.g.json {
		enc := json.NewEncoder(a.out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	text(a.out)
	return nil
}

// statJSON is a Stat for --json output; zxids and session ids are also
// given in hex, the way ZooKeeper's logs print them.
type statJSON struct {
	Czxid          int64  `json:"czxid"`
	Mzxid          int64  `json:"mzxid"`
	Pzxid          int64  `json:"pzxid"`
	Ctime          string `json:"ctime"`
	Mtime          string `json:"mtime"`
	Version        int32  `json:"version"`
	Cversion       int32  `json:"cversion"`
	Aversion       int32  `json:"aversion"`
	EphemeralOwner string `json:"ephemeralOwner"`
	DataLength     int32  `json:"dataLength"`
	NumChildren    int32  `json:"numChildren"`
}

func toStatJSON(st *zk.Stat) *statJSON {
	if st == nil {
		return nil
	}
	return &statJSON{
		Czxid: st.Czxid, Mzxid: st.Mzxid, Pzxid: st.Pzxid,
		Ctime: msTime(st.Ctime), Mtime: msTime(st.Mtime),
		Version: st.Version, Cversion: st.Cversion, Aversion: st.Aversion,
		EphemeralOwner: hexID(st.EphemeralOwner),
		DataLength:     st.DataLength, NumChildren: st.NumChildren,
	}
}

// printStat prints a Stat as zkCli's stat command does.
func printStat(w io.Writer, st *zk.Stat) {
	fmt.Fprintf(w, "cZxid = 0x%x\n", st.Czxid)
	fmt.Fprintf(w, "ctime = %s\n", msTime(st.Ctime))
	fmt.Fprintf(w, "mZxid = 0x%x\n", st.Mzxid)
	fmt.Fprintf(w, "mtime = %s\n", msTime(st.Mtime))
	fmt.Fprintf(w, "pZxid = 0x%x\n", st.Pzxid)
	fmt.Fprintf(w, "cversion = %d\n", st.Cversion)
	fmt.Fprintf(w, "dataVersion = %d\n", st.Version)
	fmt.Fprintf(w, "aclVersion = %d\n", st.Aversion)
	fmt.Fprintf(w, "ephemeralOwner = %s\n", hexID(st.EphemeralOwner))
	fmt.Fprintf(w, "dataLength = %d\n", st.DataLength)
	fmt.Fprintf(w, "numChildren = %d\n", st.NumChildren)
}

// msTime formats milliseconds since the epoch as RFC 3339 in UTC.
func msTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano)
}

// hexID formats a session id as ZooKeeper does (0x...).
func hexID(id int64) string {
	return fmt.Sprintf("0x%x", uint64(id))
}

// dataJSON carries node data in JSON: as text when it is UTF-8, and always
// as base64 (encoding/json encodes []byte as base64).
type dataJSON struct {
	Text   *string `json:"text,omitempty"`
	Base64 []byte  `json:"base64"`
}

func toDataJSON(b []byte) dataJSON {
	d := dataJSON{Base64: b}
	if d.Base64 == nil {
		d.Base64 = []byte{}
	}
	if utf8.Valid(b) {
		s := string(b)
		d.Text = &s
	}
	return d
}

// emitLine prints v as one line of JSON (for streams: watch).
func (a *app) emitLine(v any) error {
	return json.NewEncoder(a.out).Encode(v)
}
