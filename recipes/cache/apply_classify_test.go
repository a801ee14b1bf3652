package cache

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClassifyData(t *testing.T) {
	at := func(czxid, mzxid int64) *stat { return &stat{czxid: czxid, mzxid: mzxid} }
	read := stat{czxid: 10, mzxid: 20}
	for _, tc := range []struct {
		name string
		in   dataInput
		want dataAction
	}{
		{"root not cached", dataInput{isRoot: true, read: read}, dataCreate},
		{"root never waits for a parent", dataInput{isRoot: true, read: read, unconfirmedParent: true}, dataCreate},
		{"new node under an unconfirmed parent", dataInput{read: read, parent: at(5, 5), unconfirmedParent: true}, dataUnconfirmed},
		{"new incarnation under an unconfirmed parent", dataInput{read: read, cached: at(9, 9), parent: at(5, 5), unconfirmedParent: true}, dataUnconfirmed},
		{"known incarnation under an unconfirmed parent", dataInput{read: read, cached: at(10, 15), parent: at(5, 5), unconfirmedParent: true}, dataNewer},
		{"no parent cached", dataInput{read: read}, dataOrphan},
		{"child of an older parent incarnation", dataInput{read: read, parent: at(11, 11)}, dataOldParent},
		{"new node", dataInput{read: read, parent: at(5, 5)}, dataCreate},
		{"re-created", dataInput{read: read, cached: at(9, 9), parent: at(5, 5)}, dataRecreate},
		{"older incarnation read", dataInput{read: read, cached: at(11, 11), parent: at(5, 5)}, dataOlderIncarnation},
		{"newer data", dataInput{read: read, cached: at(10, 19), parent: at(5, 5)}, dataNewer},
		{"same data", dataInput{read: read, cached: at(10, 20), parent: at(5, 5)}, dataSame},
		{"older data", dataInput{read: read, cached: at(10, 21), parent: at(5, 5)}, dataOlder},
	} {
		require.Equal(t, tc.want, classifyData(tc.in), tc.name)
	}
}
