package kerberos

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/types"
	"github.com/stretchr/testify/require"
)

func testKey(t *testing.T) types.EncryptionKey {
	t.Helper()
	k := make([]byte, 32)
	_, err := rand.Read(k)
	require.NoError(t, err)
	return types.EncryptionKey{KeyType: etypeID.AES256_CTS_HMAC_SHA1_96, KeyValue: k}
}

// offer is the server's security-layer offer as a Java acceptor wraps it:
// layers, then a 3-byte max buffer size.
func offer(t *testing.T, key types.EncryptionKey, flags byte, payload []byte) []byte {
	t.Helper()
	wt := gssapi.WrapToken{Flags: flags, EC: 12, SndSeqNum: 7, Payload: payload}
	require.NoError(t, wt.SetCheckSum(key, keyusage.GSSAPI_ACCEPTOR_SEAL))
	b, err := wt.Marshal()
	require.NoError(t, err)
	return b
}

func TestExchangeChoosesNoSecurityLayer(t *testing.T) {
	ctx := context.Background()
	key := testKey(t)
	e := &exchange{apReq: []byte{0x60, 1, 2}, key: key, authzID: "app@EXAMPLE.TEST"}

	resp, done, err := e.Step(ctx, nil)
	require.NoError(t, err)
	require.False(t, done)
	require.Equal(t, []byte{0x60, 1, 2}, resp)

	resp, done, err = e.Step(ctx, offer(t, key, wrapSentByAcceptor, []byte{layerNone | layerIntegrity | layerPrivacy, 0x01, 0x00, 0x00}))
	require.NoError(t, err)
	require.True(t, done)
	var answer gssapi.WrapToken
	require.NoError(t, answer.Unmarshal(resp, false))
	ok, err := answer.Verify(key, keyusage.GSSAPI_INITIATOR_SEAL)
	require.True(t, ok, "%v", err)
	require.Equal(t, append([]byte{layerNone, 0, 0, 0}, "app@EXAMPLE.TEST"...), answer.Payload)

	_, _, err = e.Step(ctx, nil)
	require.Error(t, err, "a step after the exchange completed")
}

func TestExchangeRejectsBadOffers(t *testing.T) {
	ctx := context.Background()
	key := testKey(t)
	cases := map[string][]byte{
		"integrity only":      offer(t, key, wrapSentByAcceptor, []byte{layerIntegrity, 0x01, 0, 0}),
		"wrong key":           offer(t, testKey(t), wrapSentByAcceptor, []byte{layerNone, 0, 0, 0}),
		"not from acceptor":   offer(t, key, 0, []byte{layerNone, 0, 0, 0}),
		"sealed":              offer(t, key, wrapSentByAcceptor|wrapSealed, []byte{layerNone, 0, 0, 0}),
		"short payload":       offer(t, key, wrapSentByAcceptor, []byte{layerNone}),
		"garbage":             {0x01, 0x02, 0x03},
		"truncated wrap":      {0x05, 0x04, 0x01},
		"empty after AP-REQ":  {},
		"GSS context token":   {0x60, 0x10, 0x06},
		"acceptor subkey use": offer(t, key, wrapSentByAcceptor|wrapAcceptorSubkey, []byte{layerNone, 0, 0, 0}),
	}
	for name, challenge := range cases {
		t.Run(name, func(t *testing.T) {
			e := &exchange{apReq: []byte{0x60}, key: key, authzID: "app"}
			_, _, err := e.Step(ctx, nil)
			require.NoError(t, err)
			resp, done, err := e.Step(ctx, challenge)
			require.Error(t, err)
			require.False(t, done)
			require.Nil(t, resp)
			if name == "integrity only" {
				require.ErrorIs(t, err, ErrSecurityLayer)
			}
		})
	}
}
