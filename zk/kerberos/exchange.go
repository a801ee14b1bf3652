package kerberos

import (
	"context"
	"errors"
	"fmt"

	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/types"
)

// RFC 4752 security layers, the first octet of the negotiation payload.
const (
	layerNone      = 0x01
	layerIntegrity = 0x02
	layerPrivacy   = 0x04
)

// Flags of an RFC 4121 wrap token.
const (
	wrapSentByAcceptor = 0x01
	wrapSealed         = 0x02
	wrapAcceptorSubkey = 0x04
)

// exchange is the client side of one RFC 4752 exchange:
//
//	client: AP-REQ (GSS initial context token, no mutual authentication
//	        asked, so the server sends no AP-REP)
//	server: wrap token: offered layers + max buffer
//	client: wrap token: no security layer + authorization id  (done)
type exchange struct {
	apReq   []byte
	key     types.EncryptionKey // the service ticket's session key
	authzID string
	sent    bool // the AP-REQ was returned
	done    bool // the final wrap token was returned
}

// Step implements zk.SASLExchange.
func (e *exchange) Step(_ context.Context, challenge []byte) ([]byte, bool, error) {
	switch {
	case e.done:
		return nil, true, errors.New("kerberos: GSSAPI exchange already complete")
	case !e.sent:
		e.sent = true
		return e.apReq, false, nil
	case len(challenge) >= 2 && challenge[0] == 0x05 && challenge[1] == 0x04:
		resp, err := e.negotiate(challenge)
		if err != nil {
			return nil, false, err
		}
		e.done = true
		return resp, true, nil
	default:
		return nil, false, fmt.Errorf("kerberos: unexpected GSSAPI token from the server (%d bytes)", len(challenge))
	}
}

// negotiate verifies the server's security-layer offer and returns the
// wrap token choosing no security layer for the authorization id.
func (e *exchange) negotiate(challenge []byte) ([]byte, error) {
	var offer gssapi.WrapToken
	if err := offer.Unmarshal(challenge, true); err != nil {
		return nil, fmt.Errorf("kerberos: server's security-layer offer: %w", err)
	}
	if offer.Flags&(wrapSealed|wrapAcceptorSubkey) != 0 {
		return nil, fmt.Errorf("kerberos: server's security-layer offer is sealed or uses an acceptor subkey (flags %#x); not supported", offer.Flags)
	}
	if ok, err := offer.Verify(e.key, keyusage.GSSAPI_ACCEPTOR_SEAL); !ok {
		return nil, fmt.Errorf("kerberos: server's security-layer offer: checksum: %w", err)
	}
	if len(offer.Payload) != 4 {
		return nil, fmt.Errorf("kerberos: server's security-layer offer has %d bytes, want 4", len(offer.Payload))
	}
	if offer.Payload[0]&layerNone == 0 {
		return nil, fmt.Errorf("%w (offered %#x)", ErrSecurityLayer, offer.Payload[0])
	}
	// No security layer: max buffer size 0, then the authorization id.
	payload := append([]byte{layerNone, 0, 0, 0}, e.authzID...)
	tok, err := gssapi.NewInitiatorWrapToken(payload, e.key)
	if err != nil {
		return nil, fmt.Errorf("kerberos: security-layer answer: %w", err)
	}
	b, err := tok.Marshal()
	if err != nil {
		return nil, fmt.Errorf("kerberos: security-layer answer: %w", err)
	}
	return b, nil
}
