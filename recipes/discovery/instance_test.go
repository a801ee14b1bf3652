package discovery_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/recipes/discovery"
)

// Recorded from Curator 5.4's JsonInstanceSerializer(Map.class) (default,
// compatible mode) by `java CuratorDiscovery json` (testdata).
const (
	curatorFull = `{"name":"web","id":"id-1","address":"10.0.0.1","port":8080,"sslPort":8443,"payload":{"@class":"java.util.TreeMap","weight":3,"zone":"a"},"registrationTimeUTC":1700000000000,"serviceType":"DYNAMIC","uriSpec":{"parts":[{"value":"scheme","variable":true},{"value":"://","variable":false},{"value":"address","variable":true},{"value":":","variable":false},{"value":"port","variable":true}]}}`
	curatorBare = `{"name":"web","id":"id-2","address":null,"port":null,"sslPort":null,"payload":null,"registrationTimeUTC":1,"serviceType":"STATIC","uriSpec":null}`
)

func TestInstanceJSONIsCurators(t *testing.T) {
	spec, err := discovery.ParseURISpec("{scheme}://{address}:{port}")
	require.NoError(t, err)
	full := &discovery.ServiceInstance{Name: "web", ID: "id-1", Address: "10.0.0.1",
		Port: discovery.Port(8080), SSLPort: discovery.Port(8443),
		Payload:             json.RawMessage(`{"@class":"java.util.TreeMap","weight":3,"zone":"a"}`),
		RegistrationTimeUTC: 1700000000000, ServiceType: discovery.Dynamic, URISpec: spec}
	b, err := json.Marshal(full)
	require.NoError(t, err)
	require.Equal(t, curatorFull, string(b))
	bare := &discovery.ServiceInstance{Name: "web", ID: "id-2", RegistrationTimeUTC: 1, ServiceType: discovery.Static}
	b, err = json.Marshal(bare)
	require.NoError(t, err)
	require.Equal(t, curatorBare, string(b), "compatible mode: no enabled field")
	b, err = bare.Marshal(true)
	require.NoError(t, err)
	require.Equal(t, curatorBare[:len(curatorBare)-1]+`,"enabled":true}`, string(b), "enabled last, as Curator's non-compatible mode")
	bare.Disabled = true
	b, err = json.Marshal(bare)
	require.NoError(t, err)
	require.Equal(t, curatorBare[:len(curatorBare)-1]+`,"enabled":false}`, string(b), "a disabled instance keeps enabled=false")

	var back discovery.ServiceInstance
	require.NoError(t, json.Unmarshal([]byte(curatorFull), &back))
	require.Equal(t, *full, back)
	require.Equal(t, "https://10.0.0.1:8080", back.URI(nil), "ssl port: https")
	var zone struct{ Zone string }
	require.NoError(t, back.DecodePayload(&zone))
	require.Equal(t, "a", zone.Zone)
	require.NoError(t, json.Unmarshal([]byte(curatorBare), &back))
	require.False(t, back.Disabled, "no enabled field means enabled")
	require.Error(t, json.Unmarshal([]byte(`[1]`), &back))
}

func TestURISpec(t *testing.T) {
	spec, err := discovery.ParseURISpec("{scheme}://foo.com:{port}/{ path }?x={[}{unknown}{]}")
	require.NoError(t, err)
	inst := &discovery.ServiceInstance{Name: "n", Port: discovery.Port(80)}
	require.Equal(t, "http://foo.com:80/p?x={}", spec.Build(inst, map[string]any{"path": "p"}))
	for _, bad := range []string{"{a{b}}", "a}", "{a"} {
		_, err := discovery.ParseURISpec(bad)
		require.ErrorIs(t, err, discovery.ErrBadInstance, bad)
	}
}

func TestInstanceCloneIsDeep(t *testing.T) {
	spec, err := discovery.ParseURISpec("{scheme}://{address}:{port}")
	require.NoError(t, err)
	orig := &discovery.ServiceInstance{Name: "web", ID: "1", Port: discovery.Port(80), SSLPort: discovery.Port(443),
		Payload: json.RawMessage(`{"a":1}`), URISpec: spec}
	c := orig.Clone()
	require.Equal(t, orig, c)
	*c.Port, *c.SSLPort = 1, 2
	c.Payload[2] = 'b'
	c.URISpec.Parts[0].Value = "x"
	require.Equal(t, 80, *orig.Port)
	require.Equal(t, 443, *orig.SSLPort)
	require.JSONEq(t, `{"a":1}`, string(orig.Payload))
	require.Equal(t, "scheme", orig.URISpec.Parts[0].Value)
	require.Nil(t, (*discovery.ServiceInstance)(nil).Clone())
}
