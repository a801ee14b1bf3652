// Package discovery is service discovery on ZooKeeper, wire compatible with
// Apache Curator's curator-x-discovery: Go and Java services register in
// and find each other through the same nodes.
//
// Each instance of a service is a node <base>/<service>/<instance-id>
// holding the instance as JSON exactly as Curator's JsonInstanceSerializer
// writes it (see ServiceInstance). ServiceDiscovery registers this
// process's instances (kept by a nodes.PersistentNode: ephemeral for
// DYNAMIC instances, so they vanish with the process, and re-created after a
// new session) and queries the others; ServiceCache keeps the instances of
// one service in memory; ServiceProvider picks one of them with a strategy
// (round robin, random, sticky) and skips instances reported down with
// NoteError.
package discovery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ServiceType is the kind of a registered instance (Curator's ServiceType).
type ServiceType string

// Service types. DYNAMIC instances are ephemeral nodes, the others
// persistent (DYNAMIC_SEQUENTIAL: ephemeral-sequential).
const (
	Dynamic           ServiceType = "DYNAMIC"
	Static            ServiceType = "STATIC"
	Permanent         ServiceType = "PERMANENT"
	DynamicSequential ServiceType = "DYNAMIC_SEQUENTIAL"
)

// ErrBadInstance is returned for instance data that is not a Curator
// ServiceInstance, and for an instance that cannot be registered.
var ErrBadInstance = errors.New("discovery: bad service instance")

// ServiceInstance is one instance of a service (Curator's ServiceInstance).
// Its JSON is what Curator's JsonInstanceSerializer writes, field for field
// and in the same order: name, id, address, port, sslPort, payload,
// registrationTimeUTC, serviceType, uriSpec — and enabled when asked for
// (Curator's default "compatible" mode leaves it out; see WithEnabledField)
// or when the instance is Disabled (Curator's compatible mode silently
// drops enabled=false, so a disabled instance would read back as enabled;
// every Curator 5 reader ignores the field or honours it). Empty Address, nil Port/SSLPort/URISpec and an empty
// Payload are JSON null, as Java's nulls.
type ServiceInstance struct {
	Name                string
	ID                  string
	Address             string
	Port                *int
	SSLPort             *int
	Payload             json.RawMessage // any JSON; Java objects carry "@class"
	RegistrationTimeUTC int64           // ms since the epoch
	ServiceType         ServiceType     // "" is DYNAMIC
	URISpec             *URISpec
	Disabled            bool // Curator's enabled=false
}

// wireInstance is the JSON layout, fields in Curator's order.
type wireInstance struct {
	Name                string          `json:"name"`
	ID                  string          `json:"id"`
	Address             *string         `json:"address"`
	Port                *int            `json:"port"`
	SSLPort             *int            `json:"sslPort"`
	Payload             json.RawMessage `json:"payload"`
	RegistrationTimeUTC int64           `json:"registrationTimeUTC"`
	ServiceType         *ServiceType    `json:"serviceType"`
	URISpec             *URISpec        `json:"uriSpec"`
	Enabled             *bool           `json:"enabled,omitempty"`
}

// Marshal returns the instance's JSON as Curator's JsonInstanceSerializer
// writes it; withEnabled adds the enabled field (the serializer's
// compatibleSerializationMode=false), which a Disabled instance always has.
func (i *ServiceInstance) Marshal(withEnabled bool) ([]byte, error) {
	w := wireInstance{Name: i.Name, ID: i.ID, Port: i.Port, SSLPort: i.SSLPort,
		RegistrationTimeUTC: i.RegistrationTimeUTC, URISpec: i.URISpec}
	if i.Address != "" {
		w.Address = &i.Address
	}
	if len(i.Payload) > 0 {
		w.Payload = i.Payload
	}
	st := i.ServiceType
	if st == "" {
		st = Dynamic
	}
	w.ServiceType = &st
	if withEnabled || i.Disabled {
		enabled := !i.Disabled
		w.Enabled = &enabled
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // Jackson does not escape <, > and &
	if err := enc.Encode(w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadInstance, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// MarshalJSON is Marshal(false): Curator's default serializer output.
func (i *ServiceInstance) MarshalJSON() ([]byte, error) { return i.Marshal(false) }

// UnmarshalJSON reads an instance as Curator writes it (unknown fields are
// ignored, a missing enabled means enabled).
func (i *ServiceInstance) UnmarshalJSON(b []byte) error {
	var w wireInstance
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("%w: %w", ErrBadInstance, err)
	}
	*i = ServiceInstance{Name: w.Name, ID: w.ID, Port: w.Port, SSLPort: w.SSLPort,
		RegistrationTimeUTC: w.RegistrationTimeUTC, URISpec: w.URISpec}
	if w.Address != nil {
		i.Address = *w.Address
	}
	if len(w.Payload) > 0 && string(w.Payload) != "null" {
		i.Payload = w.Payload
	}
	if w.ServiceType != nil {
		i.ServiceType = *w.ServiceType
	}
	if w.Enabled != nil {
		i.Disabled = !*w.Enabled
	}
	return nil
}

// Clone returns a deep copy of the instance, which the caller may modify
// (the instances a ServiceCache or ServiceProvider hands out are shared and
// must not be modified). Clone of nil is nil.
func (i *ServiceInstance) Clone() *ServiceInstance {
	if i == nil {
		return nil
	}
	c := *i
	if i.Port != nil {
		c.Port = Port(*i.Port)
	}
	if i.SSLPort != nil {
		c.SSLPort = Port(*i.SSLPort)
	}
	c.Payload = bytes.Clone(i.Payload)
	if i.URISpec != nil {
		c.URISpec = &URISpec{Parts: slices.Clone(i.URISpec.Parts)}
	}
	return &c
}

// DecodePayload unmarshals the payload into v (a "@class" field written by
// Java is an ordinary field to Go).
func (i *ServiceInstance) DecodePayload(v any) error {
	if len(i.Payload) == 0 {
		return fmt.Errorf("%w: no payload", ErrBadInstance)
	}
	return json.Unmarshal(i.Payload, v)
}

// URI builds the instance's URI from its URISpec ("" without one).
func (i *ServiceInstance) URI(vars map[string]any) string {
	if i.URISpec == nil {
		return ""
	}
	return i.URISpec.Build(i, vars)
}

// URISpec is Curator's UriSpec: a template such as
// "{scheme}://{address}:{port}" as a list of parts, literal or variable.
type URISpec struct {
	Parts []URIPart `json:"parts"`
}

// URIPart is one part of a URISpec.
type URIPart struct {
	Value    string `json:"value"`
	Variable bool   `json:"variable"`
}

// ParseURISpec parses a template as Curator's UriSpec(String) does:
// "{name}" is a variable, everything else literal text.
func ParseURISpec(raw string) (*URISpec, error) {
	u := &URISpec{Parts: []URIPart{}}
	inside := false
	var tok strings.Builder
	flush := func() {
		if tok.Len() > 0 {
			v := tok.String()
			if inside {
				v = strings.TrimSpace(v)
			}
			u.Parts = append(u.Parts, URIPart{Value: v, Variable: inside})
			tok.Reset()
		}
	}
	for _, r := range raw {
		switch r {
		case '{':
			if inside {
				return nil, fmt.Errorf("discovery: uri spec %q: { inside a variable: %w", raw, ErrBadInstance)
			}
			flush()
			inside = true
		case '}':
			if !inside {
				return nil, fmt.Errorf("discovery: uri spec %q: } without {: %w", raw, ErrBadInstance)
			}
			flush()
			inside = false
		default:
			tok.WriteRune(r)
		}
	}
	if inside {
		return nil, fmt.Errorf("discovery: uri spec %q: variable not closed: %w", raw, ErrBadInstance)
	}
	flush()
	return u, nil
}

// Build fills the template as Curator's UriSpec.build: the variables
// scheme ("https" when the instance has an SSL port, else "http"), name,
// id, address, port, ssl-port, registration-time-utc, service-type, "[" and
// "]" (for literal braces), overridden by vars. An unknown variable is left
// out. inst may be nil.
func (u *URISpec) Build(inst *ServiceInstance, vars map[string]any) string {
	local := map[string]any{"[": "{", "]": "}", "scheme": "http"}
	if inst != nil {
		local["name"] = inst.Name
		local["id"] = inst.ID
		local["address"] = inst.Address
		local["port"] = optInt(inst.Port)
		local["ssl-port"] = optInt(inst.SSLPort)
		local["registration-time-utc"] = inst.RegistrationTimeUTC
		st := inst.ServiceType
		if st == "" {
			st = Dynamic
		}
		local["service-type"] = strings.ToLower(string(st))
		if inst.SSLPort != nil {
			local["scheme"] = "https"
		}
	}
	for k, v := range vars {
		local[k] = v
	}
	var b strings.Builder
	for _, p := range u.Parts {
		if !p.Variable {
			b.WriteString(p.Value)
		} else if v, ok := local[p.Value]; ok && v != nil {
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}

func optInt(p *int) any {
	if p == nil {
		return ""
	}
	return *p
}

// Port returns a pointer to p, for ServiceInstance.Port and SSLPort.
func Port(p int) *int { return &p }
