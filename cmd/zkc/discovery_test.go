package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/recipes/discovery"
)

func TestDiscovery(t *testing.T) {
	forTargets(t, func(t *testing.T, tg target, base string) {
		cs := tg.connect
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		d, err := discovery.New(client(t, cs), base)
		require.NoError(t, err)
		defer d.Close()
		for _, inst := range []*discovery.ServiceInstance{
			{Name: "web", ID: "w1", Address: "10.0.0.1", Port: discovery.Port(8080), Payload: json.RawMessage(`{"zone":"a"}`)},
			{Name: "web", ID: "w2", Address: "10.0.0.2", Port: discovery.Port(8080)},
			{Name: "db", ID: "d1", Address: "10.0.0.9", SSLPort: discovery.Port(5433)},
		} {
			require.NoError(t, d.Register(ctx, inst))
		}

		var services []struct {
			Name      string            `json:"name"`
			Instances []json.RawMessage `json:"instances"`
		}
		okJSON(t, cs, &services, "discovery", base)
		require.Len(t, services, 2)
		byName := map[string]int{}
		for _, s := range services {
			byName[s.Name] = len(s.Instances)
		}
		require.Equal(t, map[string]int{"web": 2, "db": 1}, byName)
		var inst discovery.ServiceInstance
		for _, s := range services {
			if s.Name == "db" {
				require.NoError(t, json.Unmarshal(s.Instances[0], &inst), "Curator's instance JSON")
			}
		}
		require.Equal(t, "d1", inst.ID)
		require.Equal(t, 5433, *inst.SSLPort)

		text := ok(t, cs, "discovery", base)
		require.Contains(t, text, "web (2 instances)")
		require.Contains(t, text, `w1  10.0.0.1 port=8080 DYNAMIC`)
		require.Contains(t, text, `payload={"zone":"a"}`)

		r := zkc(t, cs, "discovery", base+"/none")
		require.Equal(t, exitNotFound, r.code, r.stderr)
	})
}
