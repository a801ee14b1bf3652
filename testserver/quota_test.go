package testserver

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestQuotaStats sets a quota as zkCli's setquota does and follows the
// stats node through creates, setData and deletes (the conformance
// scenario quota_stats compares the same with a real 3.8).
func TestQuotaStats(t *testing.T) {
	root, c := oneSession(t)
	c.mustCreate(root, []byte("abc"), 0)
	c.mustCreate(root+"/a", []byte("12345"), 0)
	stats := func() string {
		t.Helper()
		r, err := c.getData("/zookeeper/quota"+root+"/zookeeper_stats", false)
		require.EqualValues(t, 0, err)
		return string(r.Data)
	}
	c.mustCreate("/zookeeper/quota"+root, nil, 0)
	c.mustCreate("/zookeeper/quota"+root+"/zookeeper_limits", []byte("count=10,bytes=-1"), 0)
	before := c.stat("/zookeeper/quota" + root + "/zookeeper_limits")
	c.mustCreate("/zookeeper/quota"+root+"/zookeeper_stats", []byte("count=0,bytes=0"), 0)
	require.Equal(t, "count=2,bytes=8", stats(), "counted when the stats node is made")

	c.mustCreate(root+"/a/b", []byte("xy"), 0)
	require.Equal(t, "count=3,bytes=10", stats())
	_, h := c.setData(root+"/a", []byte("1"), -1)
	require.EqualValues(t, 0, h.Err)
	require.Equal(t, "count=3,bytes=6", stats())
	require.EqualValues(t, 0, c.delete(root+"/a/b", -1))
	require.Equal(t, "count=2,bytes=4", stats())
	st := c.stat("/zookeeper/quota" + root + "/zookeeper_stats")
	require.EqualValues(t, 0, st.Version, "the server rewrites the data without a new version")
	require.EqualValues(t, len("count=2,bytes=4"), st.DataLength)
	require.Equal(t, before.Version, c.stat("/zookeeper/quota"+root+"/zookeeper_limits").Version)

	// Outside the quota path nothing changes; without the limits node
	// nothing is tracked any more.
	c.mustCreate(root+"-other", []byte("zzz"), 0)
	require.Equal(t, "count=2,bytes=4", stats())
	require.EqualValues(t, 0, c.delete("/zookeeper/quota"+root+"/zookeeper_limits", -1))
	c.mustCreate(root+"/c", []byte("q"), 0)
	require.Equal(t, "count=2,bytes=4", stats())
}

func TestStatsTrack(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"count=0,bytes=0", "count=0,bytes=0"},
		{"", "count=-1,bytes=-1"},
		{"bytes=5", "count=-1,bytes=5"},
		{"count=1,bytes=2=;countHardLimit=4;byteHardLimit=9", "count=1,bytes=2=;byteHardLimit=9;countHardLimit=4"},
		{"count==3,bytes=x,junk", "count=-1,bytes=-1"},
	} {
		require.Equal(t, tc.out, parseStatsTrack(tc.in).String(), tc.in)
	}
}
