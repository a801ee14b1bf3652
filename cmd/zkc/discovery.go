package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/zkcurator/zkcurator/recipes/discovery"
	"github.com/zkcurator/zkcurator/zk"
)

// service is one service of a discovery base path, as `discovery` prints it.
type service struct {
	Name      string                       `json:"name"`
	Instances []*discovery.ServiceInstance `json:"instances"`
}

func (a *app) discoveryCommand() *cobra.Command {
	cmd := a.pathCommand("discovery BASE", "Show the services registered under a Curator x-discovery base path",
		`Show the services under BASE in Curator's x-discovery layout
(BASE/<service>/<instance-id>, each node the instance as Curator's
JsonInstanceSerializer writes it): every service with its instances — id,
address, ports, URI spec, registration time, type and payload. Go services
registered with recipes/discovery and Java services registered with Curator
show alike. --json prints the instances in Curator's JSON.`, nil)
	cmd.RunE = a.pathCommand("", "", "", func(ctx context.Context, c *zk.Client, base string) (any, func(io.Writer), error) {
		services, err := readServices(ctx, c, base)
		if err != nil {
			return nil, nil, err
		}
		return services, func(w io.Writer) { printServices(w, services) }, nil
	}).RunE
	return cmd
}

// readServices lists the services under base and their instances.
func readServices(ctx context.Context, c *zk.Client, base string) ([]service, error) {
	if ok, _, err := c.Exists(ctx, base); err != nil {
		return nil, err
	} else if !ok {
		return nil, &zk.OpError{Op: "discovery", Path: base, Err: zk.ErrNoNode}
	}
	d, err := discovery.New(c, base)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.QueryForNames(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]service, 0, len(names))
	for _, name := range names {
		insts, err := d.QueryForInstances(ctx, name)
		if err != nil {
			return nil, err
		}
		out = append(out, service{Name: name, Instances: nonNil(insts)})
	}
	return out, nil
}

func printServices(w io.Writer, services []service) {
	if len(services) == 0 {
		fmt.Fprintln(w, "(no services)")
		return
	}
	for _, s := range services {
		fmt.Fprintf(w, "%s (%d instances)\n", s.Name, len(s.Instances))
		for _, in := range s.Instances {
			fmt.Fprintf(w, "  %s  %s", in.ID, in.Address)
			if in.Port != nil {
				fmt.Fprintf(w, " port=%d", *in.Port)
			}
			if in.SSLPort != nil {
				fmt.Fprintf(w, " sslPort=%d", *in.SSLPort)
			}
			if in.Disabled {
				fmt.Fprint(w, " DISABLED")
			}
			typ := in.ServiceType
			if typ == "" {
				typ = discovery.Dynamic
			}
			fmt.Fprintf(w, " %s registered %s", typ, time.UnixMilli(in.RegistrationTimeUTC).UTC().Format(time.RFC3339))
			if u := in.URI(nil); u != "" {
				fmt.Fprintf(w, " uri=%s", u)
			}
			if len(in.Payload) > 0 && string(in.Payload) != "null" {
				fmt.Fprintf(w, " payload=%s", in.Payload)
			}
			fmt.Fprintln(w)
		}
	}
}
